// libpcap, loaded when a capture is first opened (dlopen), not when the program starts.
//
// Linking libpcap pulls libdbus, libsystemd and libgcrypt into every process, and resolving them
// cost each `icmpkit` command ~3 ms of start-up, more than tracepath's whole run takes. Only
// decode, watch-errors and `-w` need libpcap, so the capture module loads it on first use; the
// types and constants still come from <pcap/pcap.h>, whose ABI is stable (soname libpcap.so.0.8).
#pragma once

#include <pcap/pcap.h>

#include <string>

namespace icmpkit::capture::detail {

#define ICMPKIT_PCAP_FUNCTIONS(X)                                                                     \
    X(activate) X(close) X(compile) X(create) X(datalink) X(dump) X(dump_close) X(dump_file)          \
    X(dump_flush) X(dump_open) X(fopen_offline_with_tstamp_precision) X(freecode)                     \
    X(get_tstamp_precision) X(geterr) X(next_ex) X(offline_filter)                                    \
    X(open_dead_with_tstamp_precision) X(open_offline_with_tstamp_precision) X(set_immediate_mode)    \
    X(set_promisc) X(set_snaplen) X(set_timeout) X(set_tstamp_precision) X(setfilter) X(snapshot)    \
    X(statustostr)

// The libpcap functions icmpkit calls, each named without its pcap_ prefix.
struct PcapLib {
#define ICMPKIT_PCAP_MEMBER(name) decltype(&::pcap_##name) name = nullptr;
    ICMPKIT_PCAP_FUNCTIONS(ICMPKIT_PCAP_MEMBER)
#undef ICMPKIT_PCAP_MEMBER
};

// Loads libpcap once (thread-safe); nullptr with `error` set when it cannot be loaded.
const PcapLib* load_pcap(std::string* error) noexcept;
// The loaded library: only for handles that a successful open already made.
const PcapLib& pcap_lib() noexcept;

}  // namespace icmpkit::capture::detail
