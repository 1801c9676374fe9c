#include "icmpkit/core/bytes.hpp"
#include "icmpkit/core/result.hpp"
#include "icmpkit/core/time.hpp"

#include <gtest/gtest.h>

using namespace icmpkit::core;

TEST(ByteReader, ReadsBigEndianAndStopsAtTheEnd) {
    const std::uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
    ByteReader r(data, 10);
    EXPECT_EQ(*r.u8(), 0x01);
    EXPECT_EQ(*r.u16(), 0x0203);
    EXPECT_EQ(*r.u32(), 0x04050607u);
    EXPECT_TRUE(r.empty());
    auto e = r.u8();
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().fault, Fault::truncated);
    EXPECT_EQ(e.error().offset, 17u);  // base 10 + position 7
}

TEST(ByteReader, FailedReadDoesNotAdvance) {
    const std::uint8_t data[] = {0xAA, 0xBB, 0xCC};
    ByteReader r(data);
    EXPECT_FALSE(r.u32());
    EXPECT_EQ(r.position(), 0u);
    EXPECT_EQ(*r.u16(), 0xAABB);
    EXPECT_FALSE(r.bytes(2));
    EXPECT_EQ(r.rest().size(), 1u);
}

TEST(ByteWriter, WritesAndPatches) {
    Buffer out;
    ByteWriter w(out);
    w.u8(1);
    w.u16(0x0203);
    w.u32(0x04050607);
    w.zeros(2);
    w.patch16(5, 0xBEEF);
    EXPECT_EQ(out, (Buffer{1, 2, 3, 4, 5, 0xBE, 0xEF, 0, 0}));
}

TEST(Result, ValueAndError) {
    Result<int, WireError> ok = 5;
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, 5);
    Result<int, WireError> bad = wire_error(Fault::bad_length, 3);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), (WireError{Fault::bad_length, 3}));
    EXPECT_EQ(bad.value_or(9), 9);
    EXPECT_EQ(describe(bad.error()), "bad length at byte 3");
    Result<void, WireError> v;
    EXPECT_TRUE(v);
    Result<void, WireError> vbad = wire_error(Fault::truncated, 0);
    EXPECT_FALSE(vbad);
}

TEST(ResultDeathTest, WrongAlternativeAborts) {
    Result<int, WireError> bad = wire_error(Fault::truncated, 0);
    EXPECT_DEATH((void)bad.value(), "internal error");
}

TEST(Time, MillisecondsSinceMidnight) {
    using namespace std::chrono;
    WallTime t = sys_days{year{2026} / 11 / 22} + hours{1} + milliseconds{1};
    EXPECT_EQ(ms_since_midnight_ut(t), 3'600'001u);
}
