// Internal to integration_crypto: OpenSSL's error queue as text.
#pragma once

#include <string>

namespace integration::crypto::internal {

// The reason of the oldest queued OpenSSL error ("unknown OpenSSL error" when none), and an
// empty queue afterwards so that a stale error never shows up in an unrelated later call on
// this thread.
std::string OpenSslError();

}  // namespace integration::crypto::internal
