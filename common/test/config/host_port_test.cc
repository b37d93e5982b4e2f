// Tests of ParseHostPort: the forms every "host:port" setting accepts and the ones it refuses.
#include "integration/config/host_port.h"

#include <gtest/gtest.h>

#include <string>

namespace integration::config {
namespace {

TEST(ParseHostPort, AcceptsHostPortAndBracketedV6) {
  std::string host;
  int port = 0;
  EXPECT_TRUE(ParseHostPort("redis:6379", &host, &port));
  EXPECT_EQ(host, "redis");
  EXPECT_EQ(port, 6379);
  EXPECT_TRUE(ParseHostPort("127.0.0.1:1", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 1);
  EXPECT_TRUE(ParseHostPort("[::1]:65535", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 65535);
}

TEST(ParseHostPort, RefusesAnythingElseAndLeavesTheOutputsAlone) {
  std::string host = "unchanged";
  int port = 42;
  for (const char* bad : {"", "redis", "redis:", ":6379", "::1:6379", "redis:0", "redis:65536",
                          "redis:+1", "redis:-1", "redis: 1", "redis:1x", "redis:0000006379",
                          "[::1]6379", "[::1]:", "[::1", "[]:6379"}) {
    EXPECT_FALSE(ParseHostPort(bad, &host, &port)) << bad;
  }
  EXPECT_EQ(host, "unchanged");
  EXPECT_EQ(port, 42);
}

}  // namespace
}  // namespace integration::config
