// NETLINK_SOCK_DIAG inet_diag dump + /proc/<pid>/fd scan.
#include "icmpkit/net/socket_owner.hpp"

#include <dirent.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace icmpkit::net {

namespace {

struct Fd {
    int fd = -1;
    ~Fd() { if (fd >= 0) ::close(fd); }
};

core::Unexpected<core::SysError> sys_fail(const char* op) { return core::Unexpected(core::SysError{errno, op}); }

// inet_diag addresses are 4 big-endian words; a v4 address is word 0 (AF_INET) or v4-mapped.
core::IpAddress address_of(std::uint8_t family, const __be32 (&w)[4]) {
    if (family == AF_INET) return core::IpAddress(core::Ipv4Address(ntohl(w[0])));
    std::uint8_t b[16];
    std::memcpy(b, w, 16);
    auto a6 = core::Ipv6Address::from_bytes(b);
    if (a6.is_v4_mapped()) return core::IpAddress(core::Ipv4Address::from_bytes(b + 12));
    return core::IpAddress(a6);
}

bool unspecified(const core::IpAddress& a) {
    return a.is_v4() ? a.v4().is_unspecified() : a.v6().is_unspecified();
}

// 2: connected socket of this flow; 1: local end matches, remote is a wildcard; 0: no match.
int score(const inet_diag_msg& m, const wire::FlowKey& f) {
    if (ntohs(m.id.idiag_sport) != f.src_port) return 0;
    auto src = address_of(m.idiag_family, m.id.idiag_src);
    auto dst = address_of(m.idiag_family, m.id.idiag_dst);
    if (!(src == f.src || unspecified(src)) || (!unspecified(src) && src.family() != f.src.family())) return 0;
    if (dst == f.dst && ntohs(m.id.idiag_dport) == f.dst_port) return 2;
    if (unspecified(dst) && m.id.idiag_dport == 0) return 1;
    return 0;
}

// Dumps every socket of (family, protocol) and keeps the best match in `best`.
core::SysResult<void> dump(int family, const wire::FlowKey& f, int& best_score, SocketOwner& best) {
    Fd nl{::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)};
    if (nl.fd < 0) return sys_fail("socket(AF_NETLINK, NETLINK_SOCK_DIAG)");
    struct {
        nlmsghdr nlh;
        inet_diag_req_v2 r;
    } req{};
    req.nlh.nlmsg_len = sizeof req;
    req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nlh.nlmsg_seq = 1;
    req.r.sdiag_family = static_cast<std::uint8_t>(family);
    req.r.sdiag_protocol = f.protocol;
    req.r.idiag_states = ~0u;
    if (::send(nl.fd, &req, sizeof req, 0) < 0) return sys_fail("send(SOCK_DIAG_BY_FAMILY)");
    alignas(nlmsghdr) char buf[16384];
    for (;;) {
        ssize_t n = ::recv(nl.fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_fail("recv(NETLINK_SOCK_DIAG)");
        }
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) return {};
            if (h->nlmsg_type == NLMSG_ERROR) {
                auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
                if (e->error == -ENOENT) return {};  // no diag module for this protocol/family
                errno = -e->error;
                return sys_fail("SOCK_DIAG_BY_FAMILY");
            }
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) continue;
            inet_diag_msg m;
            std::memcpy(&m, NLMSG_DATA(h), sizeof m);
            int s = score(m, f);
            if (s > best_score) {
                best_score = s;
                best.inode = m.idiag_inode;
                best.uid = m.idiag_uid;
                best.state = m.idiag_state;
                best.connected = s == 2;
            }
        }
        if (n == 0) return {};
    }
}

// The first process with an fd on socket:[inode] (needs permission to read other users' fds).
void find_process(SocketOwner& o) {
    const std::string want = "socket:[" + std::to_string(o.inode) + "]";
    DIR* proc = ::opendir("/proc");
    if (!proc) return;
    while (dirent* p = ::readdir(proc)) {
        if (p->d_name[0] < '0' || p->d_name[0] > '9') continue;
        std::string dir = std::string("/proc/") + p->d_name + "/fd";
        DIR* fds = ::opendir(dir.c_str());
        if (!fds) continue;
        bool found = false;
        while (dirent* fd = ::readdir(fds)) {
            char target[64];
            std::string path = dir + "/" + fd->d_name;
            ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
            if (n > 0 && want.compare(0, want.size(), target, static_cast<std::size_t>(n)) == 0 &&
                static_cast<std::size_t>(n) == want.size()) {
                found = true;
                break;
            }
        }
        ::closedir(fds);
        if (found) {
            o.pid = std::atoi(p->d_name);
            std::ifstream comm(std::string("/proc/") + p->d_name + "/comm");
            std::getline(comm, o.command);
            break;
        }
    }
    ::closedir(proc);
}

}  // namespace

core::SysResult<std::optional<SocketOwner>> find_socket_owner(const wire::FlowKey& flow) {
    if (flow.protocol != IPPROTO_TCP && flow.protocol != IPPROTO_UDP) return std::optional<SocketOwner>{};
    int best_score = 0;
    SocketOwner best;
    if (flow.src.is_v4()) {
        if (auto r = dump(AF_INET, flow, best_score, best); !r) return core::Unexpected(r.error());
    }
    if (best_score < 2) {  // v6 sockets, and dual-stack sockets with v4-mapped addresses
        if (auto r = dump(AF_INET6, flow, best_score, best); !r) return core::Unexpected(r.error());
    }
    if (best_score == 0) return std::optional<SocketOwner>{};
    find_process(best);
    return std::optional<SocketOwner>(best);
}

}  // namespace icmpkit::net
