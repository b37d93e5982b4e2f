// A TCP proxy in front of the test Redis that a test can take down and bring back, so that
// "Redis stopped during the test" is exercised without stopping the Redis other tests share.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace integration::gateway::testing {

class RedisProxy {
 public:
  RedisProxy(std::string upstream_host, int upstream_port)
      : upstream_host_(std::move(upstream_host)), upstream_port_(upstream_port) {
    Up();
  }
  ~RedisProxy() { Down(); }
  RedisProxy(const RedisProxy&) = delete;
  RedisProxy& operator=(const RedisProxy&) = delete;

  int port() const { return port_; }

  // Listens (on the same port as before, once one was picked) and forwards connections.
  void Up() {
    if (running_.load()) return;
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(::listen(listener_, 64), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    running_.store(true);
    thread_ = std::thread([this] { Loop(); });
  }

  // Closes the listener and every forwarded connection: clients see resets, then refusals.
  void Down() {
    if (!running_.exchange(false)) return;
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
    for (auto& [a, b] : pairs_) {
      ::close(a);
      ::close(b);
    }
    pairs_.clear();
  }

 private:
  int ConnectUpstream() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    ::inet_pton(AF_INET, upstream_host_ == "localhost" ? "127.0.0.1" : upstream_host_.c_str(),
                &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  // Copies what is readable on `from` to `to`; false when either side closed.
  static bool Pump(int from, int to) {
    char buf[16384];
    const ssize_t n = ::recv(from, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    ssize_t sent = 0;
    while (sent < n) {
      const ssize_t m = ::send(to, buf + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
      if (m <= 0) return false;
      sent += m;
    }
    return true;
  }

  void Loop() {
    while (running_.load()) {
      std::vector<pollfd> fds;
      fds.push_back({listener_, POLLIN, 0});
      for (const auto& [a, b] : pairs_) {
        fds.push_back({a, POLLIN, 0});
        fds.push_back({b, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int client = ::accept(listener_, nullptr, nullptr);
        if (client >= 0) {
          const int upstream = ConnectUpstream();
          if (upstream < 0) {
            ::close(client);
          } else {
            pairs_.emplace_back(client, upstream);
          }
        }
      }
      std::vector<std::pair<int, int>> alive;
      for (size_t i = 0; i < (fds.size() - 1) / 2 && i < pairs_.size(); ++i) {
        auto [a, b] = pairs_[i];
        bool ok = true;
        if (fds[1 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) ok = ok && Pump(a, b);
        if (fds[2 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) ok = ok && Pump(b, a);
        if (ok) {
          alive.emplace_back(a, b);
        } else {
          ::close(a);
          ::close(b);
        }
      }
      // Pairs accepted in this round were not polled yet.
      for (size_t i = (fds.size() - 1) / 2; i < pairs_.size(); ++i) alive.push_back(pairs_[i]);
      pairs_.swap(alive);
    }
  }

  const std::string upstream_host_;
  const int upstream_port_;
  int port_ = 0;
  int listener_ = -1;
  std::atomic<bool> running_{false};
  std::thread thread_;
  std::vector<std::pair<int, int>> pairs_;  // (client, upstream), touched by Loop() only
};

}  // namespace integration::gateway::testing
