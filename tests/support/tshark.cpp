#include "tshark.hpp"

#include <cstdio>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

namespace icmpkit::test_support {
namespace {

using Json = nlohmann::json;

bool is_protocol_name(std::string_view k) {
    if (k.empty()) return false;
    for (char c : k) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// SAX handler that walks either tshark's array of packets or one NDJSON object, keeping
// duplicate keys (a DOM parse would keep only the last one).
class Flattener : public nlohmann::json_sax<Json> {
public:
    // `layers_depth`: nesting depth (1 = outermost container) at which packet layers live.
    // tshark: [ {_source: {layers: {...}}} ] -> layers object is at depth 4 under the key "layers".
    // NDJSON: the line's object itself is the layers object (depth 1).
    explicit Flattener(bool tshark) : tshark_(tshark) {}

    std::vector<FlatPacket> packets;
    std::string error;

    bool null() override { return scalar("null"); }
    bool boolean(bool v) override { return scalar(v ? "true" : "false"); }
    bool number_integer(number_integer_t v) override { return scalar(std::to_string(v)); }
    bool number_unsigned(number_unsigned_t v) override { return scalar(std::to_string(v)); }
    bool number_float(number_float_t, const string_t& s) override { return scalar(s); }
    bool string(string_t& v) override { return scalar(v); }
    bool binary(binary_t&) override { return scalar(""); }

    bool start_object(std::size_t) override { return open(true); }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(false); }
    bool end_array() override { return close(); }
    bool key(string_t& k) override {
        pending_key_ = k;
        return true;
    }
    bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) override {
        error = "JSON parse error at byte " + std::to_string(pos) + ": " + e.what();
        return false;
    }

private:
    struct Frame {
        bool object;
        std::string key;        // the key this container is the value of
        bool in_layers;         // inside a packet's layers object (this container included)
        bool protocol;          // contributes to the path
        std::size_t path_len;   // length of path_ before this frame pushed onto it
    };

    const std::string& current_key() const {
        // Inside an array, elements take the array's key (repeated-key convention).
        if (!stack_.empty() && !stack_.back().object) return stack_.back().key;
        return pending_key_;
    }

    bool open(bool object) {
        Frame f{object, current_key(), false, false, path_.size()};
        const std::size_t depth = stack_.size() + 1;
        const bool parent_in_layers = !stack_.empty() && stack_.back().in_layers;
        if (parent_in_layers) {
            f.in_layers = true;
            if (object && !ends_with(f.key, "_raw")) {
                // Top-level layers are protocols whatever their name; nested objects only when
                // they look like one ("ip", "udp", "icmpv6"), not field subtrees or text labels.
                f.protocol = layers_depth_ + 1 == depth || is_protocol_name(f.key);
            }
            if (ends_with(f.key, "_raw")) f.in_layers = false;  // skip -x byte arrays
        } else if (object && ((tshark_ && depth == 4 && f.key == "layers") || (!tshark_ && depth == 1))) {
            f.in_layers = true;
            layers_depth_ = depth;
            packets.emplace_back();
        }
        if (f.protocol) {
            if (!path_.empty()) path_ += '/';
            path_ += f.key;
        }
        stack_.push_back(std::move(f));
        return true;
    }

    bool close() {
        if (stack_.empty()) return false;
        path_.resize(stack_.back().path_len);
        stack_.pop_back();
        return true;
    }

    bool scalar(std::string_view v) {
        if (stack_.empty() || !stack_.back().in_layers) return true;
        const std::string& k = current_key();
        if (ends_with(k, "_raw")) return true;
        packets.back().fields.push_back(FlatField{path_, k, std::string(v)});
        return true;
    }

    bool tshark_;
    std::size_t layers_depth_ = 0;
    std::vector<Frame> stack_;
    std::string path_;
    std::string pending_key_;
};

}  // namespace

std::string FlatField::qualified() const {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return key;
    return path.substr(0, slash) + '/' + key;
}

std::vector<std::string> FlatPacket::values(std::string_view qualified_name) const {
    std::vector<std::string> out;
    for (const auto& f : fields)
        if (f.qualified() == qualified_name) out.push_back(f.value);
    return out;
}

std::optional<std::string> FlatPacket::first(std::string_view qualified_name) const {
    for (const auto& f : fields)
        if (f.qualified() == qualified_name) return f.value;
    return std::nullopt;
}

std::multimap<std::string, std::string> FlatPacket::to_multimap() const {
    std::multimap<std::string, std::string> m;
    for (const auto& f : fields) m.emplace(f.qualified(), f.value);
    return m;
}

FlattenResult flatten_tshark_json(std::string_view json) {
    FlattenResult r;
    Flattener h(true);
    r.ok = Json::sax_parse(json.begin(), json.end(), &h);
    r.error = std::move(h.error);
    r.packets = std::move(h.packets);
    return r;
}

FlattenResult flatten_ndjson(std::string_view text) {
    FlattenResult r;
    r.ok = true;
    std::size_t line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        Flattener h(false);
        if (!Json::sax_parse(line.begin(), line.end(), &h) || h.packets.size() != 1) {
            r.ok = false;
            r.error = "line " + std::to_string(line_no) + ": " +
                      (h.error.empty() ? std::string("not one JSON object") : h.error);
            return r;
        }
        r.packets.push_back(std::move(h.packets.front()));
    }
    return r;
}

std::string shell_quote(std::string_view s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') q += "'\\''";
        else q += c;
    }
    q += '\'';
    return q;
}

CommandResult run_command(const std::string& command) {
    CommandResult r;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return r;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = st == -1 ? -1 : (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return r;
}

bool tshark_available() {
    static const bool available = run_command("tshark -v >/dev/null 2>&1 && echo yes").out == "yes\n";
    return available;
}

FlattenResult run_tshark_json(const std::string& pcap, const std::string& display_filter,
                              const std::string& extra_args) {
    std::string cmd = "tshark -n -T json -r " + shell_quote(pcap);
    if (!display_filter.empty()) cmd += " -Y " + shell_quote(display_filter);
    if (!extra_args.empty()) cmd += " " + extra_args;
    cmd += " 2>/dev/null";
    const CommandResult run = run_command(cmd);
    if (run.status != 0) {
        FlattenResult r;
        r.error = "tshark exited with status " + std::to_string(run.status) + ": " + cmd;
        return r;
    }
    return flatten_tshark_json(run.out);
}

}  // namespace icmpkit::test_support
