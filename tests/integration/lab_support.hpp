// Shared fixture of the lab_*_test.cpp files: `icmpkit lab --netns NAME` in the background, tools
// run inside NAME with `ip netns exec`, everything bounded by timeout(1), the namespace removed in
// TearDown (also when a test fails). Needs root and /dev/net/tun.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lab_test {

inline std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

struct CmdResult {
    int rc = -1;
    std::string out;
};

// `cmd` bounded by timeout(1); stdout and stderr together.
inline CmdResult run(const std::string& cmd, int seconds = 30) {
    static int n = 0;
    std::string file = "/tmp/icmpkit-lab-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".out";
    std::string full = "timeout " + std::to_string(seconds) + " " + cmd + " >" + file + " 2>&1";
    CmdResult r;
    int st = std::system(full.c_str());
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(file);
    std::remove(file.c_str());
    return r;
}

inline std::string skip_reason() {
    if (::geteuid() != 0) return "needs root (network namespaces and a TUN device)";
    struct stat st {};
    if (::stat("/dev/net/tun", &st) != 0) return "no /dev/net/tun";
    if (run("ip -V").rc != 0) return "no iproute2 'ip'";
    return {};
}

class LabFixture : public ::testing::Test {
protected:
    std::string ns_, log_, topo_file_;
    pid_t pid_ = -1;

    void SetUp() override {
        if (auto why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
        static int n = 0;
        ns_ = "icmpkit-lab-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
        log_ = "/tmp/" + ns_ + ".log";
    }

    void TearDown() override {
        stop();
        if (!ns_.empty()) (void)std::system(("ip netns delete " + ns_ + " 2>/dev/null").c_str());
        if (!log_.empty()) std::remove(log_.c_str());
        if (!topo_file_.empty()) std::remove(topo_file_.c_str());
    }

    // Writes a topology for start().
    std::string write_topology(const std::string& text) {
        topo_file_ = "/tmp/" + ns_ + ".topo";
        std::ofstream(topo_file_) << text;
        return topo_file_;
    }

    // Starts the lab and waits until its device has an address in the namespace.
    void start(const std::string& topology, int duration_s = 40, const std::string& extra = "") {
        std::string cmd = std::string("exec timeout ") + std::to_string(duration_s + 10) + " " + ICMPKIT_BINARY +
                          " lab --netns " + ns_ + " --duration " + std::to_string(duration_s) + " --stats " + extra +
                          " " + topology + " >" + log_ + " 2>&1";
        pid_ = ::fork();
        ASSERT_GE(pid_, 0);
        if (pid_ == 0) {
            ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        for (int i = 0; i < 100; ++i) {
            if (slurp(log_).find("icmpkit lab:") != std::string::npos &&
                run("ip netns exec " + ns_ + " ip -o route show 203.0.113.0/24", 5).out.find("dev") != std::string::npos)
                return;
            int st = 0;
            if (::waitpid(pid_, &st, WNOHANG) == pid_) {
                pid_ = -1;
                FAIL() << "icmpkit lab exited early:\n" << slurp(log_);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        FAIL() << "icmpkit lab did not come up:\n" << slurp(log_);
    }

    // SIGTERM to our child only; returns its exit status (-1 when it had to be killed).
    int stop() {
        if (pid_ <= 0) return -1;
        ::kill(pid_, SIGTERM);
        int st = 0;
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, &st, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &st, 0);
        pid_ = -1;
        return -1;
    }

    // The icmpkit process: timeout(1)'s only child.
    pid_t lab_pid() const {
        std::string c = slurp("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) + "/children");
        return c.empty() ? -1 : static_cast<pid_t>(std::stol(c));
    }

    CmdResult in_ns(const std::string& cmd, int seconds = 30) { return run("ip netns exec " + ns_ + " " + cmd, seconds); }
    std::string log() const { return slurp(log_); }
};

}  // namespace lab_test
