// Always-on assertion for our own bugs. Never use it to validate input: untrusted bytes get a
// WireError, users get a UsageError (DESIGN.md section 4).
#pragma once

#include <cstdio>
#include <cstdlib>

namespace icmpkit::core {

[[noreturn]] inline void assert_fail(const char* expr, const char* file, int line) noexcept {
    std::fprintf(stderr, "icmpkit: internal error: %s failed at %s:%d\n", expr, file, line);
    std::abort();
}

}  // namespace icmpkit::core

#define ICMPKIT_ASSERT(expr) \
    ((expr) ? static_cast<void>(0) : ::icmpkit::core::assert_fail(#expr, __FILE__, __LINE__))
