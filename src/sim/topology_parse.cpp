// The topology line format (docs/topology-format.md): one statement per line, '#' comments.
#include <algorithm>
#include <string>

#include "icmpkit/sim/topology.hpp"
#include "icmpkit/wire/ip_protocol.hpp"
#include "topology_values.hpp"

namespace icmpkit::sim {

namespace {

using detail::parse_uint;
using Words = std::vector<std::string_view>;

constexpr std::size_t max_nodes = 100'000;
constexpr std::size_t max_interfaces = 256;
constexpr std::size_t max_words = 4096;

Words split(std::string_view line) {
    Words out;
    std::size_t i = 0;
    while (i < line.size() && out.size() < max_words) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        std::size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

bool valid_name(std::string_view s) {
    if (s.empty() || s.size() > 32) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-' || c == '.';
    });
}

std::string quoted(std::string_view s) {
    std::string out = "'";
    for (char c : s.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
    return out + "'";
}

struct PendingRoute {
    std::uint32_t node;
    std::vector<stack::Prefix> destinations;
    std::vector<core::IpAddress> gateways;
    std::size_t line;
};

class Parser {
public:
    explicit Parser(std::string_view file) : file_(file) {}

    std::optional<TopologyError> run(std::string_view text) {
        std::size_t start = 0;
        while (start <= text.size()) {
            ++line_;
            std::size_t end = text.find('\n', start);
            if (end == std::string_view::npos) end = text.size();
            std::string_view l = text.substr(start, end - start);
            if (auto hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
            if (auto e = statement(split(l))) return e;
            start = end + 1;
        }
        return finish();
    }
    Topology take() { return std::move(topo_); }

private:
    using Err = std::optional<TopologyError>;
    Err fail(std::string message) const { return TopologyError{std::string(file_), line_, std::move(message)}; }

    Err statement(const Words& w);
    Err node(const Words& w);
    Err addr(const Words& w);
    Err link(const Words& w, bool segment);
    Err link_property(LinkProperties& p, std::string_view word);
    Err route(const Words& w);
    Err filter(const Words& w);
    Err mpls(const Words& w);
    Err ratelimit(const Words& w);
    Err nat(const Words& w);
    Err finish();

    Err find_node(std::string_view name, std::uint32_t& out) const {
        auto i = topo_.node_index(name);
        if (!i) return fail("unknown node " + quoted(name) + " (declare it with `node` first)");
        out = *i;
        return std::nullopt;
    }
    Err need(const Words& w, std::size_t n, std::string_view usage) const {
        if (w.size() < n) return fail("too few words; usage: " + std::string(usage));
        return std::nullopt;
    }
    // The interface named `name` of node `n`, created when absent.
    Err interface(std::uint32_t n, std::string_view name, std::uint32_t& ifindex, bool create) {
        auto& ifs = topo_.nodes[n].config.interfaces;
        for (const auto& i : ifs)
            if (i.name == name) { ifindex = i.ifindex; return std::nullopt; }
        if (!create) return fail("node " + topo_.nodes[n].config.name + " has no interface " + quoted(name));
        if (!valid_name(name)) return fail("bad interface name " + quoted(name));
        if (ifs.size() >= max_interfaces) return fail("too many interfaces");
        stack::Interface i;
        i.name = std::string(name);
        i.ifindex = static_cast<std::uint32_t>(ifs.size() + 1);
        ifs.push_back(std::move(i));
        ifindex = ifs.back().ifindex;
        return std::nullopt;
    }
    Err doc_prefix(std::string_view text, stack::Prefix& out) const {
        auto p = stack::parse_prefix(text);
        if (!p) return fail("bad prefix " + quoted(text) + " (want ADDRESS/LENGTH)");
        if (!is_documentation_prefix(*p))
            return fail(quoted(text) + " is outside the documentation ranges (192.0.2.0/24, 198.51.100.0/24, "
                        "203.0.113.0/24, 2001:db8::/32)");
        out = *p;
        return std::nullopt;
    }

    std::string_view file_;
    std::size_t line_ = 0;
    Topology topo_;
    std::vector<PendingRoute> routes_;
    std::optional<std::uint32_t> entry_;
};

Parser::Err Parser::statement(const Words& w) {
    if (w.empty()) return std::nullopt;
    std::string_view k = w[0];
    if (k == "node") return node(w);
    if (k == "addr") return addr(w);
    if (k == "link") return link(w, false);
    if (k == "segment") return link(w, true);
    if (k == "route") return route(w);
    if (k == "filter") return filter(w);
    if (k == "mpls") return mpls(w);
    if (k == "ratelimit") return ratelimit(w);
    if (k == "nat") return nat(w);
    if (k == "description") {
        for (std::size_t i = 1; i < w.size(); ++i) {
            if (i > 1 || !topo_.description.empty()) topo_.description += ' ';
            topo_.description += w[i];
        }
        return std::nullopt;
    }
    if (k == "silent" || k == "blackhole" || k == "entry" || k == "ecmp" || k == "open") {
        if (auto e = need(w, 2, std::string(k) + " NODE")) return e;
        std::uint32_t n = 0;
        if (auto e = find_node(w[1], n)) return e;
        auto& spec = topo_.nodes[n];
        if (k == "silent") spec.config.silent = true;
        else if (k == "blackhole") spec.blackhole = true;
        else if (k == "entry") entry_ = n;
        else if (k == "ecmp") {
            if (w.size() != 3 || (w[2] != "per-flow" && w[2] != "per-packet"))
                return fail("usage: ecmp NODE per-flow|per-packet");
            spec.ecmp = w[2] == "per-flow" ? EcmpMode::per_flow : EcmpMode::per_packet;
            return std::nullopt;
        } else {  // open NODE udp PORT...
            if (w.size() < 4 || w[2] != "udp") return fail("usage: open NODE udp PORT [PORT...]");
            for (std::size_t i = 3; i < w.size(); ++i) {
                auto p = parse_uint(w[i], 65535);
                if (!p || *p == 0) return fail("bad port " + quoted(w[i]));
                spec.config.open_udp_ports.push_back(static_cast<std::uint16_t>(*p));
            }
            return std::nullopt;
        }
        if (w.size() > 2) return fail("unexpected " + quoted(w[2]) + " after " + std::string(k) + " NODE");
        return std::nullopt;
    }
    return fail("unknown statement " + quoted(k));
}

Parser::Err Parser::node(const Words& w) {
    if (w.size() != 3 || (w[2] != "host" && w[2] != "router")) return fail("usage: node NAME host|router");
    if (!valid_name(w[1])) return fail("bad node name " + quoted(w[1]) + " (letters, digits, _ - ., at most 32)");
    if (topo_.node_index(w[1])) return fail("node " + quoted(w[1]) + " declared twice");
    if (topo_.nodes.size() >= max_nodes) return fail("too many nodes");
    NodeSpec s;
    s.config.name = std::string(w[1]);
    s.config.role = w[2] == "host" ? stack::Role::host : stack::Role::router;
    s.line = line_;
    topo_.nodes.push_back(std::move(s));
    return std::nullopt;
}

Parser::Err Parser::addr(const Words& w) {
    if (auto e = need(w, 4, "addr NODE IFACE PREFIX [PREFIX...]")) return e;
    std::uint32_t n = 0, ifindex = 0;
    if (auto e = find_node(w[1], n)) return e;
    if (auto e = interface(n, w[2], ifindex, true)) return e;
    for (std::size_t i = 3; i < w.size(); ++i) {
        stack::Prefix p;
        if (auto e = doc_prefix(w[i], p)) return e;
        for (const auto& other : topo_.nodes)
            if (std::any_of(other.config.interfaces.begin(), other.config.interfaces.end(), [&](const auto& f) {
                    return std::any_of(f.addresses.begin(), f.addresses.end(),
                                       [&](const stack::Prefix& q) { return q.address == p.address; });
                }))
                return fail("address " + p.address.to_string() + " is already assigned");
        topo_.nodes[n].config.interfaces[ifindex - 1].addresses.push_back(p);
    }
    return std::nullopt;
}

Parser::Err Parser::link_property(LinkProperties& p, std::string_view word) {
    auto eq = word.find('=');
    if (eq == std::string_view::npos) return fail("expected KEY=VALUE, got " + quoted(word));
    std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
    auto bad = [&] { return fail("bad value " + quoted(value) + " for " + std::string(key)); };
    if (key == "latency" || key == "jitter" || key == "reorder-delay") {
        auto d = detail::parse_duration(value);
        if (!d) return bad();
        (key == "latency" ? p.latency : key == "jitter" ? p.jitter : p.reorder_delay) = *d;
    } else if (key == "loss" || key == "dup" || key == "reorder" || key == "corrupt") {
        auto v = detail::parse_percent_ppm(value);
        if (!v) return bad();
        (key == "loss" ? p.loss_ppm : key == "dup" ? p.duplicate_ppm : key == "reorder" ? p.reorder_ppm
                                                                                     : p.corrupt_ppm) = *v;
    } else if (key == "mtu") {
        auto v = parse_uint(value, 65535);
        if (!v || *v < 68) return bad();  // RFC 791: every IPv4 module passes 68 octets
        p.mtu = static_cast<std::uint32_t>(*v);
    } else if (key == "rate") {
        auto v = detail::parse_rate(value);
        if (!v) return bad();
        p.rate_bps = *v;
    } else if (key == "queue") {
        auto v = detail::parse_bytes(value);
        if (!v || *v == 0) return bad();
        p.queue_bytes = static_cast<std::uint32_t>(*v);
    } else {
        return fail("unknown link property " + quoted(key));
    }
    return std::nullopt;
}

Parser::Err Parser::link(const Words& w, bool segment) {
    Link l;
    l.segment = segment;
    l.line = line_;
    std::size_t i = 1;
    for (; i < w.size() && w[i].find('=') == std::string_view::npos; ++i) {
        auto colon = w[i].find(':');
        if (colon == std::string_view::npos) return fail("expected NODE:IFACE, got " + quoted(w[i]));
        std::uint32_t n = 0, ifindex = 0;
        if (auto e = find_node(w[i].substr(0, colon), n)) return e;
        if (auto e = interface(n, w[i].substr(colon + 1), ifindex, true)) return e;
        Endpoint ep{n, ifindex};
        for (const auto& other : topo_.links)
            if (std::find(other.ends.begin(), other.ends.end(), ep) != other.ends.end())
                return fail(std::string(w[i]) + " is already attached to the link of line " + std::to_string(other.line));
        for (const auto& mine : l.ends)
            if (mine.node == n) return fail("node " + quoted(w[i].substr(0, colon)) + " appears twice on one link");
        l.ends.push_back(ep);
    }
    if (!segment && l.ends.size() != 2) return fail("a link joins exactly two NODE:IFACE ends");
    if (segment && l.ends.size() < 2) return fail("a segment joins at least two NODE:IFACE ends");
    for (; i < w.size(); ++i)
        if (auto e = link_property(l.properties, w[i])) return e;
    for (const auto& ep : l.ends) topo_.nodes[ep.node].config.interfaces[ep.ifindex - 1].mtu = l.properties.mtu;
    topo_.links.push_back(std::move(l));
    return std::nullopt;
}

Parser::Err Parser::route(const Words& w) {
    constexpr std::string_view usage = "route NODE PREFIX|default via GATEWAY [via GATEWAY...]";
    if (auto e = need(w, 5, usage)) return e;
    PendingRoute r{0, {}, {}, line_};
    if (auto e = find_node(w[1], r.node)) return e;
    if ((w.size() - 3) % 2 != 0) return fail(std::string("usage: ") + std::string(usage));
    for (std::size_t i = 3; i < w.size(); i += 2) {
        if (w[i] != "via") return fail("expected 'via', got " + quoted(w[i]));
        auto gw = core::IpAddress::parse(w[i + 1]);
        if (!gw) return fail("bad gateway address " + quoted(w[i + 1]));
        if (!is_documentation_address(*gw)) return fail("gateway " + quoted(w[i + 1]) + " is outside the documentation ranges");
        if (!r.gateways.empty() && r.gateways.front().family() != gw->family())
            return fail("gateways of one route must be of one family");
        r.gateways.push_back(*gw);
    }
    if (w[2] == "default") {
        // "default" is every documentation range of the gateways' family: the lab routes nothing else.
        const char* v4[] = {"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"};
        if (r.gateways.front().is_v4())
            for (const char* p : v4) r.destinations.push_back(*stack::parse_prefix(p));
        else
            r.destinations.push_back(*stack::parse_prefix("2001:db8::/32"));
    } else {
        stack::Prefix p;
        if (auto e = doc_prefix(w[2], p)) return e;
        if (p.address.family() != r.gateways.front().family()) return fail("prefix and gateway families differ");
        r.destinations.push_back(p);
    }
    routes_.push_back(std::move(r));
    return std::nullopt;
}

Parser::Err Parser::filter(const Words& w) {
    constexpr std::string_view usage =
        "filter NODE drop|reject [udp|tcp|icmp|icmp6|proto N] [src PREFIX] [dst PREFIX] [dport N[-M]] [code CODE]";
    if (auto e = need(w, 3, usage)) return e;
    std::uint32_t n = 0;
    if (auto e = find_node(w[1], n)) return e;
    stack::FilterRule r;
    if (w[2] == "drop") r.action = stack::FilterAction::drop;
    else if (w[2] == "reject") r.action = stack::FilterAction::reject;
    else if (w[2] == "accept") r.action = stack::FilterAction::accept;
    else return fail("expected drop, reject or accept, got " + quoted(w[2]));
    bool has_code = false;
    for (std::size_t i = 3; i < w.size(); ++i) {
        std::string_view k = w[i];
        if (k == "udp") r.protocol = wire::ip_protocol::udp;
        else if (k == "tcp") r.protocol = wire::ip_protocol::tcp;
        else if (k == "icmp") r.protocol = wire::ip_protocol::icmp;
        else if (k == "icmp6") r.protocol = wire::ip_protocol::icmpv6;
        else if (i + 1 >= w.size()) return fail("missing value after " + quoted(k));
        else if (k == "proto") {
            auto v = parse_uint(w[++i], 255);
            if (!v) return fail("bad protocol number " + quoted(w[i]));
            r.protocol = static_cast<std::uint8_t>(*v);
        } else if (k == "src" || k == "dst") {
            stack::Prefix p;
            if (auto e = doc_prefix(w[++i], p)) return e;
            (k == "src" ? r.source : r.destination) = p;
        } else if (k == "dport") {
            std::string_view v = w[++i];
            auto dash = v.find('-');
            auto lo = parse_uint(v.substr(0, dash), 65535);
            auto hi = dash == std::string_view::npos ? lo : parse_uint(v.substr(dash + 1), 65535);
            if (!lo || !hi || *lo > *hi) return fail("bad port range " + quoted(v));
            r.destination_port_min = static_cast<std::uint16_t>(*lo);
            r.destination_port_max = static_cast<std::uint16_t>(*hi);
        } else if (k == "code") {
            auto c = detail::parse_reject_code(w[++i]);
            if (!c) return fail("bad reject code " + quoted(w[i]));
            r.reject_code_v4 = c->v4;
            r.reject_code_v6 = c->v6;
            r.reject_type_v4 = c->type_v4;
            r.reject_type_v6 = c->type_v6;
            has_code = true;
        } else {
            return fail("unknown filter word " + quoted(k));
        }
    }
    if (has_code && r.action != stack::FilterAction::reject) return fail("only a reject rule takes a code");
    bool ports = !(r.destination_port_min == 0 && r.destination_port_max == 65535);
    if (ports && (!r.protocol || (*r.protocol != wire::ip_protocol::udp && *r.protocol != wire::ip_protocol::tcp)))
        return fail("dport needs udp or tcp");
    topo_.nodes[n].config.filter.push_back(r);
    return std::nullopt;
}

Parser::Err Parser::mpls(const Words& w) {
    auto at = std::find(w.begin(), w.end(), std::string_view("labels"));
    if (at == w.end() || at == w.begin() + 1 || at + 1 == w.end())
        return fail("usage: mpls NODE [NODE...] labels LABEL [LABEL...]");
    std::vector<std::uint32_t> nodes;
    for (auto it = w.begin() + 1; it != at; ++it) {
        std::uint32_t n = 0;
        if (auto e = find_node(*it, n)) return e;
        nodes.push_back(n);
    }
    std::vector<std::uint32_t> labels;
    for (auto it = at + 1; it != w.end(); ++it) {
        auto v = parse_uint(*it, 0xFFFFF);  // RFC 3032: a 20-bit label
        if (!v || *v < 16) return fail("bad label " + quoted(*it) + " (16..1048575; 0-15 are reserved)");
        labels.push_back(static_cast<std::uint32_t>(*v));
    }
    if (labels.size() != 1 && labels.size() != nodes.size())
        return fail("give one label (counted up per node) or one label per node");
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        std::uint32_t label = labels.size() == 1 ? labels[0] + static_cast<std::uint32_t>(i) : labels[i];
        if (label > 0xFFFFF) return fail("label out of range");
        // RFC 4950: the incoming label stack entry, bottom of stack, TTL 1 (it expired here).
        wire::ext::MplsLabelEntry e;
        e.label = label;
        e.bottom_of_stack = true;
        e.ttl = 1;
        for (auto& i_f : topo_.nodes[nodes[i]].config.interfaces) i_f.mpls_labels = {e};
        if (topo_.nodes[nodes[i]].config.interfaces.empty()) return fail("mpls node has no interfaces yet");
    }
    return std::nullopt;
}

Parser::Err Parser::ratelimit(const Words& w) {
    if (auto e = need(w, 3, "ratelimit NODE off | [interval=DUR] [burst=N] [global=N] [global-burst=N]")) return e;
    std::uint32_t n = 0;
    if (auto e = find_node(w[1], n)) return e;
    auto& rl = topo_.nodes[n].config.rate_limit;
    if (w[2] == "off") {
        if (w.size() != 3) return fail("nothing may follow 'off'");
        rl.enabled = false;
        return std::nullopt;
    }
    rl.enabled = true;
    for (std::size_t i = 2; i < w.size(); ++i) {
        auto eq = w[i].find('=');
        if (eq == std::string_view::npos) return fail("expected KEY=VALUE, got " + quoted(w[i]));
        std::string_view key = w[i].substr(0, eq), value = w[i].substr(eq + 1);
        if (key == "interval") {
            auto d = detail::parse_duration(value);
            if (!d) return fail("bad interval " + quoted(value));
            rl.per_peer_interval = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
            continue;
        }
        auto v = parse_uint(value, 1'000'000);
        if (!v) return fail("bad value " + quoted(value) + " for " + std::string(key));
        if (key == "burst") rl.per_peer_burst = static_cast<std::uint32_t>(*v);
        else if (key == "global") rl.global_per_second = static_cast<std::uint32_t>(*v);
        else if (key == "global-burst") rl.global_burst = static_cast<std::uint32_t>(*v);
        else return fail("unknown ratelimit key " + quoted(key));
    }
    return std::nullopt;
}

Parser::Err Parser::nat(const Words& w) {
    if (w.size() < 6 || w.size() > 7 || w[2] != "inside" || w[4] != "outside")
        return fail("usage: nat NODE inside IFACE outside IFACE [quote=keep|translate]");
    std::uint32_t n = 0;
    if (auto e = find_node(w[1], n)) return e;
    NatConfig c;
    if (auto e = interface(n, w[3], c.inside_ifindex, false)) return e;
    if (auto e = interface(n, w[5], c.outside_ifindex, false)) return e;
    if (c.inside_ifindex == c.outside_ifindex) return fail("inside and outside must differ");
    if (w.size() == 7) {
        if (w[6] != "quote=keep" && w[6] != "quote=translate") return fail("expected quote=keep or quote=translate");
        c.translate_quote = w[6] == "quote=translate";
    }
    const auto& out = topo_.nodes[n].config.interfaces[c.outside_ifindex - 1];
    if (std::none_of(out.addresses.begin(), out.addresses.end(), [](const auto& p) { return p.address.is_v4(); }))
        return fail("the outside interface needs an IPv4 address (NAT is IPv4 only)");
    if (topo_.nodes[n].config.role != stack::Role::router) return fail("only a router can NAT");
    topo_.nodes[n].nat = c;
    return std::nullopt;
}

Parser::Err Parser::finish() {
    for (const auto& r : routes_) {
        line_ = r.line;
        auto& cfg = topo_.nodes[r.node].config;
        std::vector<stack::NextHop> hops;
        for (const auto& gw : r.gateways) {
            const stack::Interface* on = nullptr;
            for (const auto& i : cfg.interfaces)
                for (const auto& p : i.addresses) {
                    if (p.address == gw) return fail("gateway " + gw.to_string() + " is the node's own address");
                    if (!on && p.contains(gw)) on = &i;
                }
            if (!on) return fail("gateway " + gw.to_string() + " is on none of " + cfg.name + "'s links");
            hops.push_back(stack::NextHop{on->ifindex, gw});
        }
        for (const auto& d : r.destinations) cfg.routes.push_back(stack::Route{d, hops});
    }
    line_ = 0;
    if (topo_.nodes.empty()) return fail("no nodes");
    if (entry_) {
        topo_.entry = *entry_;
    } else {
        auto it = std::find_if(topo_.nodes.begin(), topo_.nodes.end(),
                               [](const NodeSpec& s) { return s.config.role == stack::Role::host; });
        if (it == topo_.nodes.end()) return fail("no host to be the entry point (add `entry NODE`)");
        topo_.entry = static_cast<std::uint32_t>(it - topo_.nodes.begin());
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> Topology::node_index(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].config.name == name) return static_cast<std::uint32_t>(i);
    return std::nullopt;
}

std::string TopologyError::describe() const {
    return file + ":" + std::to_string(line) + ": " + message;
}

bool is_documentation_address(const core::IpAddress& a) noexcept {
    if (a.is_v4()) {
        std::uint32_t net = a.v4().to_uint() & 0xFFFFFF00u;
        return net == 0xC0000200u || net == 0xC6336400u || net == 0xCB007100u;  // RFC 5737
    }
    const auto& b = a.v6().bytes();
    return b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8;  // RFC 3849
}

bool is_documentation_prefix(const stack::Prefix& p) noexcept {
    return is_documentation_address(p.address) && p.length >= (p.address.is_v4() ? 24 : 32);
}

core::Result<Topology, TopologyError> parse_topology(std::string_view text, std::string_view file) noexcept {
    Parser p(file);
    if (auto e = p.run(text)) return core::Unexpected<TopologyError>(std::move(*e));
    Topology t = p.take();
    t.name = std::string(file);
    return t;
}

}  // namespace icmpkit::sim
