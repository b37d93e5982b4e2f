// Client addresses behind trusted proxies: address and network parsing, the Forwarded and
// X-Forwarded-For chains read from the gateway's side.
#include "client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace integration::gateway {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// Splits at `separator` outside double quotes (RFC 7230 quoted-string, with backslash escapes).
std::vector<std::string_view> SplitOutsideQuotes(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == separator) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

std::string_view Trim(std::string_view s) {
  const absl::string_view t = absl::StripAsciiWhitespace(Av(s));
  return std::string_view(t.data(), t.size());
}

// The "for" values of a Forwarded header, hop by hop from the client towards the gateway; ""
// for a hop without one.
std::vector<std::string> ForwardedFor(std::string_view header) {
  std::vector<std::string> hops;
  for (std::string_view element : SplitOutsideQuotes(header, ',')) {
    if (Trim(element).empty()) continue;
    std::string value;
    for (std::string_view pair : SplitOutsideQuotes(element, ';')) {
      pair = Trim(pair);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (!absl::EqualsIgnoreCase(Av(Trim(pair.substr(0, eq))), "for")) continue;
      std::string_view v = Trim(pair.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      value.assign(v);
    }
    hops.push_back(std::move(value));
  }
  return hops;
}

std::vector<std::string> XForwardedFor(std::string_view header) {
  std::vector<std::string> hops;
  for (absl::string_view hop : absl::StrSplit(Av(header), ',')) {
    hop = absl::StripAsciiWhitespace(hop);
    if (!hop.empty()) hops.emplace_back(hop);
  }
  return hops;
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  text = Trim(text);
  std::string host;
  if (text.starts_with("[")) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = text.substr(close + 1);
    uint32_t port = 0;
    if (!rest.empty() && !(rest.front() == ':' && absl::SimpleAtoi(Av(rest.substr(1)), &port))) {
      return std::nullopt;
    }
    host.assign(text.substr(1, close - 1));
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    // IPv4 with a port (a bare IPv6 address has at least two colons).
    const size_t colon = text.find(':');
    uint32_t port = 0;
    if (!absl::SimpleAtoi(Av(text.substr(colon + 1)), &port)) return std::nullopt;
    host.assign(text.substr(0, colon));
  } else {
    host.assign(text);
  }
  IpAddress address;
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    std::memcpy(address.bytes.data(), &v4, 4);
    return address;
  }
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (std::memcmp(&v6, kMappedPrefix, sizeof(kMappedPrefix)) == 0) {
      std::memcpy(address.bytes.data(), reinterpret_cast<const uint8_t*>(&v6) + 12, 4);
      return address;
    }
    address.v6 = true;
    std::memcpy(address.bytes.data(), &v6, 16);
    return address;
  }
  return std::nullopt;
}

std::string IpAddress::ToString() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof(buffer)) == nullptr) {
    return "";
  }
  return buffer;
}

bool IpNetwork::Contains(const IpAddress& address) const {
  if (address.v6 != base.v6) return false;
  int left = prefix_length;
  for (size_t i = 0; left > 0; ++i, left -= 8) {
    const uint8_t mask = left >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - left));
    if ((address.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies out;
  for (absl::string_view entry : absl::StrSplit(Av(list), ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    auto bad = [&] {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", entry, "\" is not an IP address or network like 10.0.0.0/8 or fd00::/8"));
    };
    const size_t slash = entry.find('/');
    const absl::string_view host = entry.substr(0, slash);
    // Only bare addresses: a port or brackets make no sense in a network.
    if (host.find('[') != absl::string_view::npos ||
        (host.find(':') != absl::string_view::npos && host.find(':') == host.rfind(':'))) {
      return bad();
    }
    std::optional<IpAddress> base = IpAddress::Parse(std::string_view(host.data(), host.size()));
    if (!base.has_value()) return bad();
    IpNetwork network{*base, base->v6 ? 128 : 32};
    if (slash != absl::string_view::npos) {
      int length = 0;
      if (!absl::SimpleAtoi(entry.substr(slash + 1), &length) || length < 0 ||
          length > network.prefix_length) {
        return bad();
      }
      network.prefix_length = length;
    }
    out.networks_.push_back(network);
  }
  return out;
}

bool TrustedProxies::Contains(const IpAddress& address) const {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const IpNetwork& n) { return n.Contains(address); });
}

std::string ClientAddress(std::string_view peer, const ForwardingHeaders& headers,
                          const TrustedProxies& trusted) {
  std::optional<IpAddress> current = IpAddress::Parse(peer);
  if (!current.has_value()) return std::string(peer);
  if (trusted.empty() || !trusted.Contains(*current)) return current->ToString();
  const std::vector<std::string> hops = !Trim(headers.forwarded).empty()
                                            ? ForwardedFor(headers.forwarded)
                                            : XForwardedFor(headers.x_forwarded_for);
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    std::optional<IpAddress> address = IpAddress::Parse(*hop);
    // A trusted proxy that could not name its client: the proxy is the best we know.
    if (!address.has_value()) break;
    current = address;
    if (!trusted.Contains(*current)) break;
  }
  return current->ToString();
}

}  // namespace integration::gateway
