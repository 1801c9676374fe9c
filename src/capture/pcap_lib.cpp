#include "pcap_lib.hpp"

#include <dlfcn.h>

#include <cstdlib>

namespace icmpkit::capture::detail {

namespace {

struct Loaded {
    PcapLib lib;
    bool ok = false;
    std::string error;
};

Loaded load() noexcept {
    Loaded l;
    void* h = nullptr;
    // The Debian/Ubuntu soname first, then other distributions' names.
    for (const char* name : {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"})
        if ((h = ::dlopen(name, RTLD_NOW | RTLD_LOCAL)) != nullptr) break;
    if (!h) {
        const char* e = ::dlerror();
        l.error = std::string("cannot load libpcap (install libpcap0.8): ") + (e ? e : "not found");
        return l;
    }
#define ICMPKIT_PCAP_RESOLVE(name)                                                           \
    l.lib.name = reinterpret_cast<decltype(l.lib.name)>(::dlsym(h, "pcap_" #name));          \
    if (!l.lib.name) {                                                                       \
        l.error = "libpcap has no pcap_" #name " (libpcap >= 1.5 needed)";                    \
        return l;                                                                            \
    }
    ICMPKIT_PCAP_FUNCTIONS(ICMPKIT_PCAP_RESOLVE)
#undef ICMPKIT_PCAP_RESOLVE
    l.ok = true;  // never dlclose()d: handles may live until exit
    return l;
}

const Loaded& loaded() noexcept {
    static const Loaded l = load();
    return l;
}

}  // namespace

const PcapLib* load_pcap(std::string* error) noexcept {
    const Loaded& l = loaded();
    if (!l.ok && error) *error = l.error;
    return l.ok ? &l.lib : nullptr;
}

const PcapLib& pcap_lib() noexcept {
    const Loaded& l = loaded();
    if (!l.ok) std::abort();  // unreachable: no handle exists without a successful load
    return l.lib;
}

}  // namespace icmpkit::capture::detail
