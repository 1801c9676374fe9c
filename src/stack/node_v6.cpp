// IPv6 receive path (placeholder until wire/icmpv6 is merged).
#include "icmpkit/stack/node.hpp"

namespace icmpkit::stack {

void Node::receive_v6(const Input&) { dispose(DropReason::not_answered); }

}  // namespace icmpkit::stack
