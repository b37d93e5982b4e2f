// The client address behind trusted proxies: which forwarding entries are believed, address
// and network parsing, and the --trusted-proxies / --rate-address settings.
#include "client_address.h"

#include <string>

#include "gtest/gtest.h"

namespace integration::gateway {
namespace {

TrustedProxies Trusted(std::string_view list) {
  absl::StatusOr<TrustedProxies> trusted = TrustedProxies::Parse(list);
  EXPECT_TRUE(trusted.ok()) << trusted.status();
  return trusted.ok() ? *trusted : TrustedProxies();
}

ForwardingHeaders Xff(std::string value) { return {.forwarded = "", .x_forwarded_for = value}; }

TEST(ClientAddress, AnUntrustedPeerIsTheClientWhateverItClaims) {
  const TrustedProxies trusted = Trusted("10.0.0.0/8");
  EXPECT_EQ(ClientAddress("203.0.113.9", Xff("198.51.100.1"), trusted), "203.0.113.9");
  EXPECT_EQ(ClientAddress("203.0.113.9", {.forwarded = "for=198.51.100.1", .x_forwarded_for = ""}, trusted),
            "203.0.113.9");
  // Without any trusted proxy the headers never count, not even from loopback.
  EXPECT_EQ(ClientAddress("127.0.0.1", Xff("198.51.100.1"), TrustedProxies()), "127.0.0.1");
}

TEST(ClientAddress, ATrustedProxyNamesTheClientFromTheRight) {
  const TrustedProxies trusted = Trusted("10.0.0.0/8, fd00::/8");
  EXPECT_EQ(ClientAddress("10.1.2.3", Xff("198.51.100.1"), trusted), "198.51.100.1");
  // The client prepended a forged entry: only the entry the proxy appended counts.
  EXPECT_EQ(ClientAddress("10.1.2.3", Xff("1.2.3.4, 198.51.100.1"), trusted), "198.51.100.1");
  // Two trusted hops: the first untrusted address from the right.
  EXPECT_EQ(ClientAddress("10.1.2.3", Xff("1.2.3.4, 198.51.100.1, 10.9.9.9"), trusted),
            "198.51.100.1");
  // Every hop trusted: the leftmost.
  EXPECT_EQ(ClientAddress("10.1.2.3", Xff("10.0.0.7, 10.9.9.9"), trusted), "10.0.0.7");
  // No header: the proxy itself.
  EXPECT_EQ(ClientAddress("10.1.2.3", Xff(""), trusted), "10.1.2.3");
  // An entry the trusted proxy could not fill: the proxy it came from.
  EXPECT_EQ(ClientAddress("10.1.2.3", Xff("1.2.3.4, unknown"), trusted), "10.1.2.3");
  EXPECT_EQ(ClientAddress("10.1.2.3", Xff("unknown, 10.9.9.9"), trusted), "10.9.9.9");
  // Ports and IPv6 forms as proxies write them, canonicalised.
  EXPECT_EQ(ClientAddress("fd00::1", Xff("[2001:DB8::17]:4711"), trusted), "2001:db8::17");
  EXPECT_EQ(ClientAddress("::ffff:10.1.2.3", Xff("198.51.100.1:5000"), trusted), "198.51.100.1");
}

TEST(ClientAddress, ForwardedIsPreferredAndParsedPerRfc7239) {
  const TrustedProxies trusted = Trusted("10.0.0.0/8");
  ForwardingHeaders h;
  h.forwarded = R"(for=1.2.3.4;proto=https, For="[2001:db8:cafe::17]:4711";by=10.0.0.1)";
  h.x_forwarded_for = "198.51.100.1";
  EXPECT_EQ(ClientAddress("10.1.2.3", h, trusted), "2001:db8:cafe::17");
  h.forwarded = R"(for=198.51.100.2, for="_hidden")";
  EXPECT_EQ(ClientAddress("10.1.2.3", h, trusted), "10.1.2.3");
}

TEST(TrustedProxies, ParsesNetworksAndHostsAndNamesBadEntries) {
  const TrustedProxies trusted = Trusted("10.244.0.0/16, 192.0.2.7, 2001:db8::/32");
  auto contains = [&](std::string_view a) { return trusted.Contains(*IpAddress::Parse(a)); };
  EXPECT_TRUE(contains("10.244.3.4"));
  EXPECT_FALSE(contains("10.245.0.1"));
  EXPECT_TRUE(contains("192.0.2.7"));
  EXPECT_FALSE(contains("192.0.2.8"));
  EXPECT_TRUE(contains("2001:db8:1::1"));
  EXPECT_FALSE(contains("2001:db9::1"));
  EXPECT_TRUE(contains("::ffff:10.244.0.1"));
  EXPECT_TRUE(Trusted("").empty());
  for (std::string_view bad : {"10.0.0.0/33", "not-an-ip", "10.0.0.1:80", "fd00::/129", "/8"}) {
    absl::StatusOr<TrustedProxies> parsed = TrustedProxies::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find(std::string(bad)), std::string::npos)
        << parsed.status();
  }
}

}  // namespace
}  // namespace integration::gateway
