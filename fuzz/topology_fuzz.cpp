// Fuzz target: the topology parser never crashes or throws; an accepted topology holds only
// documentation addresses, builds a Network, and its paths can be computed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "icmpkit/core/assert.hpp"
#include "icmpkit/sim/network.hpp"
#include "icmpkit/sim/path.hpp"
#include "icmpkit/sim/topology.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace icmpkit;
    if (size > 64 * 1024) return 0;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto t = sim::parse_topology(text, "fuzz.topo");
    if (!t) {
        ICMPKIT_ASSERT(!t.error().describe().empty());
        return 0;
    }
    ICMPKIT_ASSERT(t->entry < t->nodes.size());
    for (const auto& n : t->nodes)
        for (const auto& i : n.config.interfaces)
            for (const auto& p : i.addresses) ICMPKIT_ASSERT(sim::is_documentation_prefix(p));
    if (t->nodes.size() <= 64) {
        sim::Network net(*t);
        (void)sim::compute_host_paths(*t);
    }
    return 0;
}
