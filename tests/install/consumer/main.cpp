// Builds an ICMP echo request with the installed library, parses it back and prints its fields.
#include <icmpkit/wire/icmpv4.hpp>

#include <cstdio>

int main() {
    using namespace icmpkit;
    wire::icmpv4::EchoRequest req;
    req.identifier = 0x1234;
    req.sequence = 7;
    core::Buffer out;
    core::ByteWriter w(out);
    wire::icmpv4::emit(wire::icmpv4::Message{req}, w, wire::icmpv4::ChecksumMode::compute);
    auto view = wire::icmpv4::MessageView::parse(out);
    if (!view) return 1;
    std::printf("type=%u id=%u seq=%u\n", view->type(), view->identifier(), view->sequence());
    return 0;
}
