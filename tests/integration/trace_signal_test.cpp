// SIGINT / SIGTERM on the real `icmpkit trace` binary (issue 5): started with fork/exec, stdout
// read from a pipe, the signal sent by pid once the output (or a kernel counter) shows the run
// is where the test wants it; every wait bounded (SIGKILL by pid, then fail). Plain trace and
// --mda run through a namespace chain A - R1 - R2 - B whose R1 drops everything it would forward
// (hop 1 answers, every later probe waits); --cycles runs on loopback. Root only.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/netns.hpp"

namespace icmpkit::test_support {
namespace {

using Clock = std::chrono::steady_clock;

// A child process with its stdout on a pipe; SIGKILLed by pid if still running at destruction.
class Child {
public:
    explicit Child(const std::vector<std::string>& argv) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(p[1], STDOUT_FILENO);
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
        ::close(p[1]);
        fd_ = p[0];
    }
    ~Child() {
        if (pid_ > 0 && !reaped_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (fd_ >= 0) ::close(fd_);
    }
    bool started() const { return pid_ > 0 && fd_ >= 0; }
    void signal(int s) const { ::kill(pid_, s); }
    const std::string& out() const { return out_; }

    // Reads until `done(out)` holds (true) or EOF / the time limit (false).
    bool read_until(const std::function<bool(const std::string&)>& done, std::chrono::seconds limit) {
        const auto end = Clock::now() + limit;
        while (!done(out_)) {
            if (!read_some(end)) return done(out_);
        }
        return true;
    }
    // Reads to EOF and reaps; the exit status, 256 + n when signal n killed it (so a process the
    // signal killed is never taken for one that exited 128 + n), -1 when the time limit passed
    // (the child is then SIGKILLed).
    int finish(std::chrono::seconds limit) {
        const auto end = Clock::now() + limit;
        while (read_some(end)) {}
        if (Clock::now() >= end) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            reaped_ = true;
            return -1;
        }
        int st = 0;
        ::waitpid(pid_, &st, 0);
        reaped_ = true;
        return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 256 + WTERMSIG(st) : -1;
    }

private:
    bool read_some(Clock::time_point end) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
        char buf[4096];
        const ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n <= 0) return false;
        out_.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    pid_t pid_ = -1;
    int fd_ = -1;
    bool reaped_ = false;
    std::string out_;
};

std::vector<std::string> in_ns(const std::string& ns, std::vector<std::string> args) {
    std::vector<std::string> v{"ip", "netns", "exec", ns, ICMPKIT_BINARY};
    v.insert(v.end(), args.begin(), args.end());
    return v;
}

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
}

// Icmp InTimeExcds of namespace `ns` (/proc/net/snmp is per namespace): the Time Exceeded
// messages its kernel received, counted before they are queued to the sockets.
long time_exceeded_in(const std::string& ns) {
    auto r = run_cmd("ip netns exec " + ns + " cat /proc/net/snmp", 10);
    std::istringstream in(r.out);
    std::string names, values;
    while (std::getline(in, names)) {
        if (names.rfind("Icmp: ", 0) != 0 || !std::getline(in, values)) continue;
        std::istringstream n(names), v(values);
        std::string name, value;
        while (n >> name && v >> value)
            if (name == "InTimeExcds") return std::stol(value);
    }
    return -1;
}

// Polls the counter (bounded) until it reaches `at_least`.
bool wait_time_exceeded(const std::string& ns, long at_least, std::chrono::seconds limit) {
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
        if (time_exceeded_in(ns) >= at_least) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

class TraceSignal : public ::testing::Test {
protected:
    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root (network namespaces, raw sockets)";
        std::string why;
        chain_ = NetnsChain::create({.routers = 2, .ipv6 = false, .tag = "s"}, &why);
        ASSERT_TRUE(chain_) << why;
        // R1 answers TTL 1 (Time Exceeded comes before the FORWARD hook) and drops the rest.
        ASSERT_TRUE(sh(chain_->in_router(1, "iptables -A FORWARD -j DROP")));
    }
    std::unique_ptr<NetnsChain> chain_;
};

TEST_F(TraceSignal, SigintPrintsTheHopBeingProbedAndExits130) {
    // -w 30: TTL 2's probes wait 30 s, far longer than the test takes.
    Child c(in_ns(chain_->a(), {"trace", "-n", "-w", "30", chain_->dest_v4()}));
    ASSERT_TRUE(c.started());
    const std::regex hop1("(^|\n) 1  " + std::regex_replace(chain_->hop_v4(1), std::regex("\\."), "\\.") + " [^\n]*\n");
    ASSERT_TRUE(c.read_until([&](const std::string& o) { return std::regex_search(o, hop1); }, std::chrono::seconds(20)))
        << c.out();
    c.signal(SIGINT);
    const int status = c.finish(std::chrono::seconds(10));
    EXPECT_EQ(status, 130) << c.out();
    // The header, hop 1 as printed, hop 2 (being probed, nothing answered) as stars, nothing more.
    std::istringstream in(c.out());
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    ASSERT_EQ(lines.size(), 3u) << c.out();
    EXPECT_EQ(lines[0].rfind("traceroute to " + chain_->dest_v4(), 0), 0u) << c.out();
    EXPECT_EQ(count(lines[1], " ms"), 3u) << c.out();
    EXPECT_EQ(lines[2], " 2  * * *") << c.out();
}

TEST_F(TraceSignal, SigtermJsonIsCompleteAndMarkedInterrupted) {
    Child c(in_ns(chain_->a(), {"trace", "-n", "-w", "30", "--json", chain_->dest_v4()}));
    ASSERT_TRUE(c.started());
    // JSON prints nothing before the end: wait until A's kernel has received hop 1's three
    // Time Exceeded messages.
    ASSERT_TRUE(wait_time_exceeded(chain_->a(), 3, std::chrono::seconds(20)));
    c.signal(SIGTERM);
    const int status = c.finish(std::chrono::seconds(10));
    EXPECT_EQ(status, 143) << c.out();
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(c.out())) << c.out();
    EXPECT_EQ(j["schema"], "icmpkit.trace/1");
    EXPECT_EQ(j["interrupted"], true);
    EXPECT_EQ(j["destination_reached"], false);
    ASSERT_EQ(j["result"].size(), 2u) << c.out();
    EXPECT_EQ(j["result"][0]["hop"], 1);
    for (const auto& p : j["result"][0]["result"]) EXPECT_EQ(p.value("from", ""), chain_->hop_v4(1)) << c.out();
    EXPECT_EQ(j["result"][1]["hop"], 2);
    ASSERT_EQ(j["result"][1]["result"].size(), 3u);
    for (const auto& p : j["result"][1]["result"]) EXPECT_EQ(p.value("x", ""), "*") << c.out();
}

TEST_F(TraceSignal, MdaSigintPrintsWhatWasFoundMarkedIncomplete) {
    // MDA waits 1 s per attempt, 4 attempts, at the silent hop 2: seconds after hop 1 answered.
    Child c(in_ns(chain_->a(), {"trace", "--mda", "-n", "--json", chain_->dest_v4()}));
    ASSERT_TRUE(c.started());
    ASSERT_TRUE(wait_time_exceeded(chain_->a(), 1, std::chrono::seconds(20)));
    c.signal(SIGINT);
    EXPECT_EQ(c.finish(std::chrono::seconds(10)), 130) << c.out();
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(c.out())) << c.out();
    EXPECT_EQ(j["schema"], "icmpkit.trace.mda/1");
    EXPECT_EQ(j["interrupted"], true);
    EXPECT_EQ(j["complete"], false);
    ASSERT_FALSE(j["hops"].empty()) << c.out();
    EXPECT_EQ(j["hops"][0]["ttl"], 1);
    EXPECT_EQ(j["hops"][0]["interfaces"][0]["address"], chain_->hop_v4(1)) << c.out();
}

// Loopback: hop 1 is 127.0.0.1 itself. Reports every 0.2 s; SIGINT after the second.
TEST(TraceSignalCycles, ContinuousJsonReportsThenAFinalOneOnSigint) {
    if (!is_root()) GTEST_SKIP() << "needs root (--cycles uses raw sockets)";
    Child c({ICMPKIT_BINARY, "trace", "--cycles=0", "--interval=0.05", "--report-every=0.2", "--json", "-n",
             "127.0.0.1"});
    ASSERT_TRUE(c.started());
    ASSERT_TRUE(c.read_until([](const std::string& o) { return count(o, "\n") >= 2; }, std::chrono::seconds(20)))
        << c.out();
    c.signal(SIGINT);
    EXPECT_EQ(c.finish(std::chrono::seconds(10)), 130) << c.out();
    std::istringstream in(c.out());
    std::vector<nlohmann::json> docs;
    for (std::string l; std::getline(in, l);) {
        ASSERT_NO_THROW(docs.push_back(nlohmann::json::parse(l))) << l;
    }
    ASSERT_GE(docs.size(), 3u) << c.out();
    for (std::size_t i = 0; i < docs.size(); ++i) {
        EXPECT_EQ(docs[i]["schema"], "icmpkit.trace.cycles/1");
        EXPECT_EQ(docs[i]["report"]["mtr"]["tests"], 0);
        EXPECT_EQ(docs[i]["interrupted"], i + 1 == docs.size()) << i;
    }
    const auto& last = docs.back();
    EXPECT_EQ(last["reached"], true);
    ASSERT_EQ(last["report"]["hubs"].size(), 1u) << c.out();
    EXPECT_EQ(last["report"]["hubs"][0]["host"], "127.0.0.1");
    EXPECT_GE(last["report"]["hubs"][0]["Snt"].get<int>(), 2);
    EXPECT_GE(last["cycles"].get<int>(), docs[1]["cycles"].get<int>());
}

// A count that is not reached: the report of the cycles done, with a note, exit 130.
TEST(TraceSignalCycles, CountedCyclesInterruptedPrintTheReportSoFar) {
    if (!is_root()) GTEST_SKIP() << "needs root (--cycles uses raw sockets)";
    Child c({ICMPKIT_BINARY, "trace", "--cycles=100000", "--interval=0.05", "--report-every=0.2", "-n",
             "127.0.0.1"});
    ASSERT_TRUE(c.started());
    ASSERT_TRUE(c.read_until([](const std::string& o) { return count(o, "HOST: ") >= 1; }, std::chrono::seconds(20)))
        << c.out();
    c.signal(SIGINT);
    EXPECT_EQ(c.finish(std::chrono::seconds(10)), 130) << c.out();
    const auto last = c.out().rfind("HOST: ");
    ASSERT_NE(last, std::string::npos);
    const std::string final_report = c.out().substr(last);
    EXPECT_NE(final_report.find("127.0.0.1"), std::string::npos) << final_report;
    EXPECT_TRUE(std::regex_search(final_report, std::regex("Interrupted after [0-9]+ of 100000 cycles\\.\n$")))
        << final_report;
}

}  // namespace
}  // namespace icmpkit::test_support
