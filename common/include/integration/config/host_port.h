// Parsing "host:port" settings (Redis, backends): one definition for every binary.
#pragma once

#include <string>
#include <string_view>

namespace integration::config {

// Splits "host:port" or "[v6-address]:port" into `host` (without brackets) and `port`; false,
// leaving both untouched, when the text is neither (an unbracketed IPv6 address is ambiguous),
// the host is empty, or the port is not 1..65535 in decimal digits.
bool ParseHostPort(std::string_view text, std::string* host, int* port);

}  // namespace integration::config
