// libpcap-backed capture sources and the pcap writer. Every libpcap resource is owned by an Impl
// whose destructor releases it; no exception leaves this file.
#include "icmpkit/capture/reader.hpp"

#include "pcap_lib.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace icmpkit::capture {

namespace {

using detail::PcapLib;
const PcapLib& lib() noexcept { return detail::pcap_lib(); }

// Loads libpcap for an open_*() call; the error names the operation.
CaptureResult<const PcapLib*> need_lib(const std::string& operation);

CaptureError error(std::string operation, std::string message) {
    return CaptureError{std::move(operation), std::move(message)};
}

core::WallTime to_wall_time(const struct timeval& tv, bool nano) {
    auto sub = nano ? std::chrono::nanoseconds(tv.tv_usec)
                    : std::chrono::nanoseconds(std::chrono::microseconds(tv.tv_usec));
    return core::WallTime(std::chrono::seconds(tv.tv_sec) + sub);
}

CaptureResult<const PcapLib*> need_lib(const std::string& operation) {
    std::string why;
    if (const PcapLib* l = detail::load_pcap(&why)) return l;
    return core::Unexpected(error(operation, why));
}

}  // namespace

std::string describe(const CaptureError& e) { return e.operation + ": " + e.message; }

// ---------------------------------------------------------------------------------------------
struct CaptureReader::Impl {
    pcap_t* pcap = nullptr;
    core::Buffer memory;  // the bytes an fmemopen()ed source reads; outlives `pcap`
    bpf_program filter{};
    bool has_filter = false;
    bool offline = true;
    bool nano = false;
    bool timed_out = false;
    std::uint64_t number = 0;

    ~Impl() {
        if (has_filter) lib().freecode(&filter);
        if (pcap) lib().close(pcap);  // also fclose()s an fopen'ed / fmemopen'ed FILE
    }
};

CaptureReader::CaptureReader(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
CaptureReader::CaptureReader(CaptureReader&&) noexcept = default;
CaptureReader& CaptureReader::operator=(CaptureReader&&) noexcept = default;
CaptureReader::~CaptureReader() = default;

CaptureResult<CaptureReader> CaptureReader::open_file(const std::string& path) {
    if (auto l = need_lib("pcap_open_offline(" + path + ")"); !l) return core::Unexpected(l.error());
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = lib().open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) return core::Unexpected(error("pcap_open_offline(" + path + ")", errbuf));
    auto impl = std::make_unique<Impl>();
    impl->pcap = p;
    impl->nano = lib().get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    return CaptureReader(std::move(impl));
}

CaptureResult<CaptureReader> CaptureReader::open_memory(core::Bytes file) {
    const std::string op = "pcap_fopen_offline(memory)";
    if (file.empty()) return core::Unexpected(error(op, "empty capture (0 bytes)"));
    if (auto l = need_lib(op); !l) return core::Unexpected(l.error());
    auto impl = std::make_unique<Impl>();
    impl->memory.assign(file.begin(), file.end());
    FILE* fp = fmemopen(impl->memory.data(), impl->memory.size(), "rb");
    if (!fp) return core::Unexpected(error("fmemopen", std::strerror(errno)));
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = lib().fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        std::fclose(fp);  // libpcap leaves the FILE to its caller when it fails
        return core::Unexpected(error(op, errbuf));
    }
    impl->pcap = p;
    impl->nano = lib().get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    return CaptureReader(std::move(impl));
}

CaptureResult<CaptureReader> CaptureReader::open_live(const std::string& interface, int snaplen,
                                                      bool promiscuous,
                                                      std::chrono::milliseconds timeout) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    const std::string op = "pcap_activate(" + interface + ")";
    if (auto l = need_lib(op); !l) return core::Unexpected(l.error());
    pcap_t* p = lib().create(interface.c_str(), errbuf);
    if (!p) return core::Unexpected(error("pcap_create(" + interface + ")", errbuf));
    auto impl = std::make_unique<Impl>();
    impl->pcap = p;
    impl->offline = false;
    lib().set_snaplen(p, snaplen);
    lib().set_promisc(p, promiscuous ? 1 : 0);
    lib().set_timeout(p, static_cast<int>(timeout.count()));
    lib().set_immediate_mode(p, timeout.count() == 0 ? 1 : 0);
    lib().set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);  // micro when refused
    int rc = lib().activate(p);
    if (rc < 0) {
        std::string msg = lib().statustostr(rc);
        if (rc == PCAP_ERROR || rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_NO_SUCH_DEVICE)
            if (const char* e = lib().geterr(p); e && *e) msg += std::string(": ") + e;
        return core::Unexpected(error(op, msg));
    }
    impl->nano = lib().get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    return CaptureReader(std::move(impl));
}

CaptureResult<bool> CaptureReader::set_filter(const std::string& expression) {
    bpf_program prog{};
    if (lib().compile(impl_->pcap, &prog, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return core::Unexpected(error("pcap_compile(" + expression + ")", lib().geterr(impl_->pcap)));
    if (!impl_->offline && lib().setfilter(impl_->pcap, &prog) != 0) {
        std::string msg = lib().geterr(impl_->pcap);
        lib().freecode(&prog);
        return core::Unexpected(error("pcap_setfilter(" + expression + ")", msg));
    }
    if (impl_->has_filter) lib().freecode(&impl_->filter);
    impl_->filter = prog;
    impl_->has_filter = true;
    return true;
}

CaptureResult<std::optional<Frame>> CaptureReader::next() {
    impl_->timed_out = false;
    for (;;) {
        pcap_pkthdr* hdr = nullptr;
        const u_char* data = nullptr;
        int rc = lib().next_ex(impl_->pcap, &hdr, &data);
        if (rc == PCAP_ERROR_BREAK) return std::optional<Frame>{};  // end of file
        if (rc == 0) {                                            // live timeout
            impl_->timed_out = true;
            return std::optional<Frame>{};
        }
        if (rc < 0) return core::Unexpected(error("pcap_next_ex", lib().geterr(impl_->pcap)));
        ++impl_->number;
        if (impl_->offline && impl_->has_filter &&
            lib().offline_filter(&impl_->filter, hdr, data) == 0)
            continue;
        Frame f;
        f.timestamp = to_wall_time(hdr->ts, impl_->nano);
        f.captured_length = hdr->caplen;
        f.original_length = hdr->len;
        f.linktype = lib().datalink(impl_->pcap);
        f.data = core::Bytes(data, hdr->caplen);
        f.number = impl_->number;
        return std::optional<Frame>(f);
    }
}

bool CaptureReader::timed_out() const noexcept { return impl_->timed_out; }
int CaptureReader::linktype() const noexcept { return lib().datalink(impl_->pcap); }
int CaptureReader::snaplen() const noexcept { return lib().snapshot(impl_->pcap); }

// ---------------------------------------------------------------------------------------------
struct CaptureWriter::Impl {
    pcap_t* dead = nullptr;
    pcap_dumper_t* dumper = nullptr;
    int snaplen = 0;

    ~Impl() {
        if (dumper) lib().dump_close(dumper);
        if (dead) lib().close(dead);
    }
};

CaptureWriter::CaptureWriter(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
CaptureWriter::CaptureWriter(CaptureWriter&&) noexcept = default;
CaptureWriter& CaptureWriter::operator=(CaptureWriter&&) noexcept = default;
CaptureWriter::~CaptureWriter() = default;

CaptureResult<CaptureWriter> CaptureWriter::open(const std::string& path, int linktype, int snaplen) {
    if (auto l = need_lib("pcap_dump_open(" + path + ")"); !l) return core::Unexpected(l.error());
    auto impl = std::make_unique<Impl>();
    impl->snaplen = snaplen;
    impl->dead = lib().open_dead_with_tstamp_precision(linktype, snaplen, PCAP_TSTAMP_PRECISION_NANO);
    if (!impl->dead) return core::Unexpected(error("pcap_open_dead", "out of memory"));
    impl->dumper = lib().dump_open(impl->dead, path.c_str());
    if (!impl->dumper)
        return core::Unexpected(error("pcap_dump_open(" + path + ")", lib().geterr(impl->dead)));
    return CaptureWriter(std::move(impl));
}

CaptureResult<bool> CaptureWriter::write(const Frame& frame) {
    pcap_pkthdr hdr{};
    auto since = frame.timestamp.time_since_epoch();
    auto secs = std::chrono::floor<std::chrono::seconds>(since);
    hdr.ts.tv_sec = static_cast<time_t>(secs.count());
    hdr.ts.tv_usec = static_cast<suseconds_t>((since - secs).count());  // ns: nano-precision dumper
    std::size_t n = frame.data.size();
    if (impl_->snaplen > 0 && n > static_cast<std::size_t>(impl_->snaplen)) n = impl_->snaplen;
    hdr.caplen = static_cast<bpf_u_int32>(n);
    hdr.len = std::max<bpf_u_int32>(frame.original_length, hdr.caplen);
    lib().dump(reinterpret_cast<u_char*>(impl_->dumper), &hdr, frame.data.data());
    if (std::ferror(lib().dump_file(impl_->dumper)))
        return core::Unexpected(error("pcap_dump", std::strerror(errno)));
    return true;
}

CaptureResult<bool> CaptureWriter::flush() {
    if (lib().dump_flush(impl_->dumper) != 0)
        return core::Unexpected(error("pcap_dump_flush", std::strerror(errno)));
    return true;
}

}  // namespace icmpkit::capture
