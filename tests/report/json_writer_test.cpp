#include "icmpkit/report/json_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

namespace icmpkit::report {
namespace {

using Json = nlohmann::json;

std::string encode_utf8(char32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

std::string json_quoted(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

// Parses our output with an independent, strict parser (it rejects invalid UTF-8 and raw
// control characters).
std::string decode(const std::string& json) { return Json::parse(json).get<std::string>(); }

const std::string fffd = "\xEF\xBF\xBD";

TEST(JsonString, EscapesQuotesBackslashAndControls) {
    EXPECT_EQ(json_quoted("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(json_quoted("\n\r\t\b\f"), R"("\n\r\t\b\f")");
    EXPECT_EQ(json_quoted(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
    EXPECT_EQ(json_quoted("\x7f"), "\"\x7f\"");  // DEL is allowed unescaped by RFC 8259
    EXPECT_EQ(json_quoted(""), R"("")");
    EXPECT_EQ(json_quoted("eth0"), R"("eth0")");
}

TEST(JsonString, KeepsValidUtf8) {
    const std::string s = encode_utf8(0xE9) + encode_utf8(0x20AC) + encode_utf8(0x1F600) + encode_utf8(0x10FFFF);
    EXPECT_EQ(json_quoted(s), "\"" + s + "\"");
    EXPECT_EQ(decode(json_quoted(s)), s);
}

TEST(JsonString, ReplacesInvalidUtf8ByteByByte) {
    // Cases from RFC 3629 section 4's table and Unicode's "well-formed" definition.
    EXPECT_EQ(decode(json_quoted("\xC0\xAF")), fffd + fffd);                   // overlong '/'
    EXPECT_EQ(decode(json_quoted("\xE0\x80\xAF")), fffd + fffd + fffd);        // overlong, 3 bytes
    EXPECT_EQ(decode(json_quoted("\xED\xA0\x80")), fffd + fffd + fffd);        // surrogate D800
    EXPECT_EQ(decode(json_quoted("\xF4\x90\x80\x80")), fffd + fffd + fffd + fffd);  // > U+10FFFF
    EXPECT_EQ(decode(json_quoted("a\xE2\x82")), "a" + fffd + fffd);            // truncated euro sign
    EXPECT_EQ(decode(json_quoted("\x80x")), fffd + "x");                       // lone continuation
    EXPECT_EQ(decode(json_quoted("\xFF\xFE")), fffd + fffd);
    EXPECT_EQ(decode(json_quoted("\xF0\x9F\x98")), fffd + fffd + fffd);        // truncated 4-byte
}

TEST(JsonString, RandomBytesAlwaysParse) {
    std::mt19937 rng(12345);
    for (int round = 0; round < 3000; ++round) {
        std::string s(rng() % 40, '\0');
        for (auto& c : s) {
            // Bias towards interesting bytes: controls, quotes, lead/continuation bytes.
            static const unsigned char pool[] = {0, 1, 0x1f, '"', '\\', 'a', 0x7f, 0x80, 0xbf, 0xc2, 0xdf,
                                                 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x90};
            c = static_cast<char>(rng() % 3 ? pool[rng() % sizeof pool] : rng() % 256);
        }
        const std::string json = json_quoted(s);
        ASSERT_TRUE(Json::accept(json)) << json;
    }
}

TEST(JsonString, RandomValidUtf8RoundTrips) {
    std::mt19937 rng(777);
    for (int round = 0; round < 2000; ++round) {
        std::string s;
        const int n = static_cast<int>(rng() % 20);
        for (int i = 0; i < n; ++i) {
            char32_t cp = rng() % 4 == 0 ? rng() % 0x80 : rng() % 0x110000;
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // surrogates are not scalar values
            s += encode_utf8(cp);
        }
        EXPECT_EQ(decode(json_quoted(s)), s);
    }
}

TEST(JsonWriter, TsharkValueForms) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field_dec("icmp.type", 3);
    w.field_hex("icmp.checksum", 0x5435, 4);
    w.field_hex("ip.id", 0x1c, 4);
    w.field_hex("ipv6.tclass", 0, 8);
    w.field_hex("wide", 0x12345, 2);  // never truncates
    w.field_bool("icmp.checksum.status", true);
    w.key("icmp.pref_level");
    w.dec_string_signed(-2147483648LL);
    w.key("ip.src");
    w.ipv4_string(core::Ipv4Address(192, 0, 2, 1));
    w.key("ipv6.src");
    w.ipv6_string(*core::Ipv6Address::parse("2001:db8:0:0:0:0:0:1"));
    const std::uint8_t mac[6] = {2, 0, 0, 0, 0, 0xfe};
    w.key("eth.src");
    w.mac_string(mac);
    const std::uint8_t data[3] = {0x61, 0x62, 0xff};
    w.key("data.data");
    w.bytes_string(data);
    w.key("empty");
    w.bytes_string({});
    w.end_object();
    w.end_line();
    EXPECT_EQ(out,
              R"({"icmp.type":"3","icmp.checksum":"0x5435","ip.id":"0x001c","ipv6.tclass":"0x00000000",)"
              R"("wide":"0x12345","icmp.checksum.status":"1","icmp.pref_level":"-2147483648",)"
              R"("ip.src":"192.0.2.1","ipv6.src":"2001:db8::1","eth.src":"02:00:00:00:00:fe",)"
              R"("data.data":"61:62:ff","empty":""})"
              "\n");
}

TEST(JsonWriter, PlainValuesAndExtremes) {
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    w.uint(0);
    w.uint(UINT64_MAX);
    w.sint(INT64_MIN);
    w.sint(-1);
    w.boolean(true);
    w.boolean(false);
    w.null();
    w.raw("{}");
    w.dec_string(UINT64_MAX);
    w.hex_string(UINT64_MAX, 4);
    w.end_array();
    EXPECT_EQ(out, R"([0,18446744073709551615,-9223372036854775808,-1,true,false,null,{},)"
                   R"("18446744073709551615","0xffffffffffffffff"])");
    const Json j = Json::parse(out);
    EXPECT_EQ(j[1].get<std::uint64_t>(), UINT64_MAX);
    EXPECT_EQ(j[2].get<std::int64_t>(), INT64_MIN);
}

// Writes a DOM value through JsonWriter (the code under test).
void write(JsonWriter& w, const Json& j) {
    switch (j.type()) {
    case Json::value_t::object:
        w.begin_object();
        for (const auto& [k, v] : j.items()) {
            w.key(k);
            write(w, v);
        }
        w.end_object();
        break;
    case Json::value_t::array:
        w.begin_array();
        for (const auto& v : j) write(w, v);
        w.end_array();
        break;
    case Json::value_t::string: w.string(j.get<std::string>()); break;
    case Json::value_t::boolean: w.boolean(j.get<bool>()); break;
    case Json::value_t::number_unsigned: w.uint(j.get<std::uint64_t>()); break;
    case Json::value_t::number_integer: w.sint(j.get<std::int64_t>()); break;
    default: w.null(); break;
    }
}

Json random_value(std::mt19937_64& rng, int depth) {
    const auto pick = rng() % (depth > 6 ? 5 : 7);
    auto random_string = [&] {
        std::string s;
        for (int n = static_cast<int>(rng() % 8); n > 0; --n)
            s += encode_utf8(rng() % 2 ? static_cast<char32_t>(rng() % 0x80) : static_cast<char32_t>(0x100 + rng() % 0xD000));
        return s;
    };
    switch (pick) {
    case 0: return random_string();
    case 1: return static_cast<std::uint64_t>(rng());
    case 2: return -static_cast<std::int64_t>(rng() >> 2) - 1;
    case 3: return rng() % 2 == 0;
    case 4: return nullptr;
    case 5: {
        Json a = Json::array();
        for (int n = static_cast<int>(rng() % 5); n > 0; --n) a.push_back(random_value(rng, depth + 1));
        return a;
    }
    default: {
        Json o = Json::object();
        for (int n = static_cast<int>(rng() % 5); n > 0; --n) o[random_string()] = random_value(rng, depth + 1);
        return o;
    }
    }
}

TEST(JsonWriter, RandomNestedStructuresRoundTrip) {
    std::mt19937_64 rng(42);
    std::string out;
    for (int round = 0; round < 500; ++round) {
        Json original = Json::object();
        for (int n = static_cast<int>(rng() % 6); n > 0; --n) original["k" + std::to_string(n)] = random_value(rng, 0);
        out.clear();
        JsonWriter w(out);
        write(w, original);
        w.end_line();
        ASSERT_EQ(w.depth(), 0u);
        ASSERT_EQ(out.back(), '\n');
        ASSERT_EQ(out.find('\n'), out.size() - 1);  // one NDJSON line
        EXPECT_EQ(Json::parse(out), original) << out;
    }
}

TEST(JsonWriter, ManyRecordsInOneBuffer) {
    std::string out;
    JsonWriter w(out);
    for (int i = 0; i < 3; ++i) {
        w.begin_object();
        w.field_dec("frame.number", static_cast<std::uint64_t>(i + 1));
        w.key("icmp");
        w.begin_object();
        w.key("icmpv6.opt");
        w.begin_array();
        w.begin_object();
        w.field("icmpv6.opt.type", "1");
        w.end_object();
        w.begin_object();
        w.end_object();
        w.end_array();
        w.end_object();
        w.end_object();
        w.end_line();
    }
    EXPECT_EQ(out.substr(0, out.find('\n')),
              R"({"frame.number":"1","icmp":{"icmpv6.opt":[{"icmpv6.opt.type":"1"},{}]}})");
    int lines = 0;
    for (std::size_t pos = 0, nl; (nl = out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        EXPECT_TRUE(Json::accept(out.substr(pos, nl - pos)));
        ++lines;
    }
    EXPECT_EQ(lines, 3);
}

}  // namespace
}  // namespace icmpkit::report
