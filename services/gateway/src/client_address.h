// The client's address as the rate limiter keys it: the socket peer, or, when the peer is one of
// the configured trusted proxies (the Kubernetes Gateway's data plane), the address that proxy
// reported in X-Forwarded-For or Forwarded (RFC 7239).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace integration::gateway {

// An IPv4 or IPv6 address (IPv4-mapped IPv6 addresses count as IPv4), comparable bytewise.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4

  // "192.0.2.1", "2001:db8::1"; also "[2001:db8::1]", "192.0.2.1:443", "[2001:db8::1]:443"
  // (the forms proxies write). nullopt for anything else ("unknown", obfuscated "_hidden").
  static std::optional<IpAddress> Parse(std::string_view text);
  // Canonical text ("192.0.2.1", "2001:db8::1").
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// One network, e.g. 10.0.0.0/8 or fd00::/8.
struct IpNetwork {
  IpAddress base;
  int prefix_length = 0;

  bool Contains(const IpAddress& address) const;
};

// The proxies whose forwarding headers are believed. Empty: none (the headers are ignored).
class TrustedProxies {
 public:
  TrustedProxies() = default;
  // "10.0.0.0/8, fd00::/8, 192.0.2.7" (a bare address is one host). INVALID_ARGUMENT naming
  // the entry that is not an address or network.
  static absl::StatusOr<TrustedProxies> Parse(std::string_view list);

  bool Contains(const IpAddress& address) const;
  bool empty() const { return networks_.empty(); }

 private:
  std::vector<IpNetwork> networks_;
};

// What a request says about where it came from.
struct ForwardingHeaders {
  std::string forwarded;        // Forwarded fields, in order, joined by ","
  std::string x_forwarded_for;  // X-Forwarded-For fields, in order, joined by ","
};

// The address to key the caller by. The peer unless it is a trusted proxy; then the chain of
// forwarded addresses (Forwarded when present, else X-Forwarded-For) is read from the right
// (the hop nearest the gateway) and the first address that is not itself a trusted proxy is the
// client. Entries further left were written by whoever sent the request and are never
// believed. When an entry a trusted proxy wrote is not an address, that proxy is the client
// (it knows no better); when every entry is a trusted proxy, the leftmost is.
std::string ClientAddress(std::string_view peer, const ForwardingHeaders& headers,
                          const TrustedProxies& trusted);

}  // namespace integration::gateway
