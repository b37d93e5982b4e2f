// Request templates of the load generator: text (a JSON body, a path, a token subject, a
// request id) with placeholders filled in per request, so that every request can carry its
// own idempotency key or subject.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace integration::bench {

// The values one request's placeholders are filled from. A request renders all its templates
// (body, request id, token subject) from the same RequestVars, so {{seq}} in the body and in
// the token subject name the same learner.
struct RequestVars {
  uint64_t seq = 0;         // {{seq}}: 0, 1, 2, ... across the whole run (warm-up included)
  std::string uuid;         // {{uuid}}: a random RFC 4122 version 4 UUID
  std::string_view run;     // {{run}}: 8 hex digits chosen once per process
  std::mt19937_64* rng{};   // draws of {{rand:N}}; owned by the caller issuing the request
};

// A random version 4 UUID, lower-case hex with dashes.
std::string RandomUuid(std::mt19937_64& rng);
// 8 random hex digits identifying one process run.
std::string RandomRunId();

class RequestTemplate {
 public:
  // Placeholders: {{seq}}, {{seq:W}} (the sequence number zero-padded to W digits, 1 <= W <= 20,
  // for identifiers of a fixed width such as a dossier number; see max_seq), {{uuid}}, {{run}}, {{rand:N}} (a uniform integer in
  // [0, N), N >= 1, drawn anew at each occurrence). INVALID_ARGUMENT for an unknown or unclosed
  // placeholder.
  static absl::StatusOr<RequestTemplate> Parse(std::string_view text);

  // True when the text has no placeholder: render once and reuse.
  bool constant() const { return constant_; }
  bool uses_uuid() const { return uses_uuid_; }
  // The largest {{seq}} every {{seq:W}} of the text can show (UINT64_MAX without one): a run
  // must stop before its sequence outgrows the width, or two requests would share an id.
  uint64_t max_seq() const { return max_seq_; }
  std::string Render(const RequestVars& vars) const;

 private:
  enum class Kind { kLiteral, kSeq, kUuid, kRun, kRand };
  struct Part {
    Kind kind;
    std::string literal;
    uint64_t bound = 0;  // kRand: N; kSeq: the width W (0: as many digits as needed)
  };
  std::vector<Part> parts_;
  bool constant_ = true;
  bool uses_uuid_ = false;
  uint64_t max_seq_ = UINT64_MAX;
};

}  // namespace integration::bench
