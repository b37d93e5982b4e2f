// "host:port" and "[v6]:port" settings.
#include "integration/config/host_port.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace integration::config {

bool ParseHostPort(std::string_view text, std::string* host, int* port) {
  std::string_view host_part;
  std::string_view port_part;
  if (text.starts_with("[")) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return false;
    }
    host_part = text.substr(1, close - 1);
    port_part = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    host_part = text.substr(0, colon);
    port_part = text.substr(colon + 1);
    // An unbracketed IPv6 address is ambiguous.
    if (host_part.find(':') != std::string_view::npos) return false;
  }
  // Digits only (SimpleAtoi would take a sign or spaces), and short enough not to overflow.
  if (host_part.empty() || port_part.empty() || port_part.size() > 5) return false;
  for (char c : port_part) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  int value = 0;
  if (!absl::SimpleAtoi(absl::string_view(port_part.data(), port_part.size()), &value) ||
      value < 1 || value > 65535) {
    return false;
  }
  *host = std::string(host_part);
  *port = value;
  return true;
}

}  // namespace integration::config
