// Capture sources and sinks through libpcap: pcap and pcapng files, capture bytes in memory, live
// interfaces, and a pcap writer. The only non-pure code below `net` (docs/ARCHITECTURE.md); the
// libpcap handle stays inside src/capture/. No exceptions: every failure is a CaptureError
// carrying libpcap's own message.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/result.hpp"
#include "icmpkit/core/time.hpp"

namespace icmpkit::capture {

struct CaptureError {
    std::string operation;  // "pcap_open_offline(x.pcap)", "pcap_compile(icmp or)", ...
    std::string message;    // libpcap's text (or strerror's)
};
std::string describe(const CaptureError& e);  // "operation: message"

template <class T>
using CaptureResult = core::Result<T, CaptureError>;

struct Frame {
    core::WallTime timestamp{};
    std::uint32_t captured_length = 0;  // bytes in `data`
    std::uint32_t original_length = 0;  // bytes on the wire
    int linktype = 0;                   // pcap_datalink(): DLT_ values (Linux DLT_RAW is 12)
    core::Bytes data;                   // non-owning: valid until the next next() or the reader dies
    std::uint64_t number = 0;           // 1-based position in the source, filtered frames counted
};

class CaptureReader {
public:
    // pcap or pcapng; timestamps at nanosecond precision whatever the file's own precision.
    static CaptureResult<CaptureReader> open_file(const std::string& path);
    // A capture file held in memory (copied), for fuzzing and tests.
    static CaptureResult<CaptureReader> open_memory(core::Bytes file);
    // Live capture; `timeout` is libpcap's buffer timeout. Nanosecond timestamps when offered.
    static CaptureResult<CaptureReader> open_live(const std::string& interface, int snaplen,
                                                  bool promiscuous,
                                                  std::chrono::milliseconds timeout);

    CaptureReader(CaptureReader&&) noexcept;
    CaptureReader& operator=(CaptureReader&&) noexcept;
    ~CaptureReader();

    // A BPF filter (pcap-filter(7)). Live sources filter in the kernel; files filter in user
    // space, so that Frame::number stays the frame's position in the file (as tshark numbers).
    CaptureResult<bool> set_filter(const std::string& expression);

    // The next frame, std::nullopt at the end of a file, or an error (a truncated or corrupt file).
    // A live source whose timeout passed with nothing returns a frame-less `true` through
    // timed_out() instead: check it when next() gives std::nullopt.
    CaptureResult<std::optional<Frame>> next();
    bool timed_out() const noexcept;

    int linktype() const noexcept;
    int snaplen() const noexcept;

private:
    struct Impl;
    explicit CaptureReader(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> impl_;
};

// Writes classic pcap files with nanosecond timestamps (the a1b23c4d magic), as `-w` does.
class CaptureWriter {
public:
    static CaptureResult<CaptureWriter> open(const std::string& path, int linktype, int snaplen = 262144);

    CaptureWriter(CaptureWriter&&) noexcept;
    CaptureWriter& operator=(CaptureWriter&&) noexcept;
    ~CaptureWriter();  // flushes and closes

    // Writes frame.timestamp, frame.original_length and frame.data (cut to the snaplen).
    CaptureResult<bool> write(const Frame& frame);
    CaptureResult<bool> flush();

private:
    struct Impl;
    explicit CaptureWriter(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> impl_;
};

}  // namespace icmpkit::capture
