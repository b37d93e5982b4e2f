// Bearer token verification: JWS compact parsing, alg allow-list, JWKS keys with reload, claim
// checks and a bounded cache of verified tokens.
#include <sys/stat.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <list>
#include <unordered_map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "integration/auth/auth.h"
#include "integration/auth/base64url.h"
#include "integration/crypto/hash.h"
#include "integration/log/log.h"
#include "integration/status/status.h"
#include "keys.h"

namespace integration::auth {
namespace {

using Clock = std::chrono::system_clock;
using google::protobuf::Struct;
using google::protobuf::Value;
using internal::Alg;
using internal::PublicKey;

// Real tokens are well under 2 KiB; the bound keeps hostile input from costing much.
constexpr size_t kMaxTokenBytes = 16 * 1024;
constexpr size_t kMaxJwksBytes = 1024 * 1024;
// Latest NumericDate accepted: the last second the clock's time_point can hold (with
// nanosecond ticks, 2262-04-11); a later one is nonsense, and converting it would overflow.
constexpr double kMaxNumericDate = static_cast<double>(
    std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::duration::max()).count() - 1);

absl::Status Malformed(std::string_view message) {
  return status::Unauthenticated("TOKEN_MALFORMED", message);
}

// nullopt when hashing fails, in which case the cache is bypassed (never keyed on "").
std::optional<std::string> Sha256(std::string_view data) {
  absl::StatusOr<std::string> digest = crypto::Sha256(data);
  if (!digest.ok()) return std::nullopt;
  return *std::move(digest);
}

// A claim that must be a string when present; nullopt when absent.
absl::StatusOr<std::optional<std::string>> StringClaim(const Struct& object, const char* name) {
  const auto it = object.fields().find(name);
  if (it == object.fields().end()) return std::optional<std::string>();
  if (it->second.kind_case() != Value::kStringValue) {
    return Malformed(absl::StrCat("claim \"", name, "\" is not a string"));
  }
  return std::optional<std::string>(it->second.string_value());
}

// A NumericDate claim (seconds since the epoch); nullopt when absent.
absl::StatusOr<std::optional<Clock::time_point>> DateClaim(const Struct& object, const char* name) {
  const auto it = object.fields().find(name);
  if (it == object.fields().end()) return std::optional<Clock::time_point>();
  const Value& v = it->second;
  if (v.kind_case() != Value::kNumberValue || !std::isfinite(v.number_value()) ||
      v.number_value() < 0 || v.number_value() > kMaxNumericDate) {
    return Malformed(absl::StrCat("claim \"", name, "\" is not a NumericDate"));
  }
  return std::optional<Clock::time_point>(
      Clock::time_point(std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(v.number_value()))));
}

bool AudienceMatches(const Value& aud, const std::string& audience) {
  if (aud.kind_case() == Value::kStringValue) return aud.string_value() == audience;
  if (aud.kind_case() != Value::kListValue) return false;
  for (const Value& entry : aud.list_value().values()) {
    if (entry.kind_case() == Value::kStringValue && entry.string_value() == audience) return true;
  }
  return false;
}

// The identity of a file's current content as far as stat can tell; Kubernetes secret
// updates swap a symlink, which changes the inode as well as the mtime.
struct FileStamp {
  int64_t mtime_sec = 0;
  int64_t mtime_nsec = 0;
  int64_t size = 0;
  uint64_t inode = 0;
  uint64_t device = 0;
  bool operator==(const FileStamp&) const = default;
};

absl::StatusOr<FileStamp> StatFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("JWKS file ", path, ": cannot stat"));
  }
  return FileStamp{st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size, st.st_ino, st.st_dev};
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("JWKS file ", path, ": cannot open"));
  std::string data;
  char buf[8192];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxJwksBytes) {
      return absl::FailedPreconditionError(absl::StrCat("JWKS file ", path, ": larger than 1 MiB"));
    }
  }
  if (in.bad())
    return absl::FailedPreconditionError(absl::StrCat("JWKS file ", path, ": read error"));
  return data;
}

struct KeySet {
  std::vector<PublicKey> keys;
  uint64_t generation = 0;
};

// Verified callers by SHA-256 of their token, least recently used evicted first, without the
// token (about 0.5 KiB an entry, so the default 2 048 entries stay near 1 MiB). Entries
// carry the key generation they were verified under so that a verification racing a key
// reload cannot re-insert a token the new keys might reject.
class TokenCache {
 public:
  explicit TokenCache(size_t capacity) : capacity_(capacity) {}

  std::optional<Caller> Lookup(const std::string& key, Clock::time_point now) {
    if (capacity_ == 0) return std::nullopt;
    absl::MutexLock lock(&mu_);
    const auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    if (now >= it->second->second.expires_at) {
      // Never serve a token past its exp, whatever the leeway: drop it and verify afresh.
      lru_.erase(it->second);
      index_.erase(it);
      return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }

  void Insert(const std::string& key, const Caller& caller, uint64_t generation,
              Clock::time_point now) {
    if (capacity_ == 0 || now >= caller.expires_at) return;
    absl::MutexLock lock(&mu_);
    if (generation != generation_ || index_.contains(key)) return;
    while (lru_.size() >= capacity_) {
      index_.erase(lru_.back().first);
      lru_.pop_back();
    }
    lru_.emplace_front(key, caller);
    // The token itself is not kept: Verify hands back the one it was given, and an entry is
    // about half the size without it.
    lru_.front().second.token.clear();
    lru_.front().second.token.shrink_to_fit();
    index_.emplace(key, lru_.begin());
  }

  void Reset(uint64_t generation) {
    absl::MutexLock lock(&mu_);
    lru_.clear();
    index_.clear();
    generation_ = generation;
  }

 private:
  using Entry = std::pair<std::string, Caller>;
  const size_t capacity_;
  absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::list<Entry> lru_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, std::list<Entry>::iterator> index_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

struct Verifier::Impl {
  explicit Impl(VerifierOptions opts) : options(std::move(opts)), cache(options.cache_size) {}

  Clock::time_point Now() const { return options.clock ? options.clock() : Clock::now(); }

  std::shared_ptr<const KeySet> Keys() const {
    absl::ReaderMutexLock lock(&keys_mu);
    return keys;
  }

  // Reads and installs the key set; on failure the previous keys stay in force.
  absl::Status LoadLocked(const FileStamp& stamp) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu) {
    last_stamp = stamp;
    absl::StatusOr<std::string> data = ReadFile(options.jwks_file);
    absl::StatusOr<std::vector<PublicKey>> parsed =
        data.ok() ? internal::ParseJwks(*data) : data.status();
    if (!parsed.ok()) {
      last_status = absl::Status(
          parsed.status().code(),
          absl::StrCat("JWKS file ", options.jwks_file, ": ", parsed.status().message()));
      log::Warn("auth_jwks_load_failed",
                {{"file", options.jwks_file}, {"error", std::string(last_status.message())}});
      return last_status;
    }
    auto next = std::make_shared<KeySet>();
    next->keys = *std::move(parsed);
    const size_t count = next->keys.size();
    {
      absl::WriterMutexLock lock(&keys_mu);
      next->generation = keys ? keys->generation + 1 : 1;
      cache.Reset(next->generation);
      keys = std::move(next);
    }
    last_status = absl::OkStatus();
    log::Info("auth_jwks_loaded", {{"file", options.jwks_file}, {"keys", count}});
    return last_status;
  }

  const VerifierOptions options;
  mutable absl::Mutex keys_mu;
  std::shared_ptr<const KeySet> keys ABSL_GUARDED_BY(keys_mu);
  // Serializes reloads and remembers the outcome for the stamp last seen, so that polling an
  // unchanged (even broken) file costs one stat.
  absl::Mutex reload_mu;
  std::optional<FileStamp> last_stamp ABSL_GUARDED_BY(reload_mu);
  absl::Status last_status ABSL_GUARDED_BY(reload_mu);
  TokenCache cache;
};

Verifier::Verifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Verifier::~Verifier() = default;

absl::StatusOr<std::unique_ptr<Verifier>> Verifier::Create(VerifierOptions options) {
  if (options.jwks_file.empty()) return absl::InvalidArgumentError("auth: no JWKS file given");
  if (options.issuer.empty()) return absl::InvalidArgumentError("auth: no token issuer given");
  if (options.audience.empty()) return absl::InvalidArgumentError("auth: no token audience given");
  if (options.subjects == nullptr) {
    return absl::InvalidArgumentError("auth: no subject pseudonym keys given");
  }
  if (options.leeway < std::chrono::seconds(0)) {
    return absl::InvalidArgumentError("auth: leeway must not be negative");
  }
  auto verifier = absl::WrapUnique(new Verifier(std::make_unique<Impl>(std::move(options))));
  absl::Status loaded = verifier->Reload();
  if (!loaded.ok()) return loaded;
  return verifier;
}

absl::Status Verifier::Reload() {
  absl::MutexLock lock(&impl_->reload_mu);
  absl::StatusOr<FileStamp> stamp = StatFile(impl_->options.jwks_file);
  if (!stamp.ok()) return stamp.status();
  return impl_->LoadLocked(*stamp);
}

absl::Status Verifier::ReloadIfChanged() {
  absl::MutexLock lock(&impl_->reload_mu);
  absl::StatusOr<FileStamp> stamp = StatFile(impl_->options.jwks_file);
  if (!stamp.ok()) return stamp.status();
  if (impl_->last_stamp == *stamp) return impl_->last_status;
  return impl_->LoadLocked(*stamp);
}

absl::StatusOr<Caller> Verifier::Verify(std::string_view token) const {
  const Clock::time_point now = impl_->Now();
  if (token.empty()) return Malformed("empty token");
  if (token.size() > kMaxTokenBytes) return Malformed("token too long");

  const std::optional<std::string> cache_key = Sha256(token);
  if (cache_key) {
    if (std::optional<Caller> cached = impl_->cache.Lookup(*cache_key, now)) {
      cached->token = std::string(token);
      return *std::move(cached);
    }
  }

  const std::vector<std::string_view> parts = internal::Split(token, '.');
  // An empty signature part ("alg":"none") is left to the alg and signature checks, which
  // name the problem more precisely than "malformed".
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) {
    return Malformed("token is not a compact JWS (three base64url parts)");
  }
  const std::optional<std::string> header_json = Base64UrlDecode(parts[0]);
  const std::optional<std::string> payload_json = Base64UrlDecode(parts[1]);
  const std::optional<std::string> signature = Base64UrlDecode(parts[2]);
  if (!header_json || !payload_json || !signature) {
    return Malformed("token part is not unpadded base64url");
  }

  Struct header;
  if (!internal::ParseJsonObject(*header_json, &header)) {
    return Malformed("token header is not a JSON object");
  }
  auto alg_name = StringClaim(header, "alg");
  if (!alg_name.ok()) return alg_name.status();
  if (!alg_name->has_value()) return Malformed("token header has no alg");
  const std::optional<Alg> alg = internal::AlgFromName(**alg_name);
  if (!alg) {
    return status::Unauthenticated(
        "TOKEN_ALG_NOT_ALLOWED",
        absl::StrCat("token alg \"", **alg_name, "\" is not allowed (EdDSA or ES256)"));
  }
  if (header.fields().contains("crit")) {
    // RFC 7515 §4.1.11: extensions we do not implement must make the token invalid.
    return Malformed("token header has critical extensions");
  }
  auto kid = StringClaim(header, "kid");
  if (!kid.ok()) return kid.status();

  const std::shared_ptr<const KeySet> keys = impl_->Keys();
  const PublicKey* key = nullptr;
  if (kid->has_value()) {
    for (const PublicKey& candidate : keys->keys) {
      if (candidate.kid == **kid) key = &candidate;
    }
    if (key == nullptr) {
      return status::Unauthenticated("TOKEN_KEY_UNKNOWN",
                                     absl::StrCat("no key with kid \"", **kid, "\""));
    }
  } else if (keys->keys.size() == 1) {
    key = &keys->keys.front();
  } else {
    return status::Unauthenticated("TOKEN_KEY_UNKNOWN",
                                   "token has no kid and several keys are configured");
  }
  if (key->alg != *alg) {
    // The algorithm comes from the key, never from the token alone (alg confusion).
    return status::Unauthenticated(
        "TOKEN_ALG_NOT_ALLOWED",
        absl::StrCat("token alg \"", **alg_name, "\" does not fit key \"", key->kid, "\""));
  }
  const std::string_view signing_input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!internal::VerifySignature(*key, signing_input, *signature)) {
    return status::Unauthenticated("TOKEN_SIGNATURE_INVALID", "token signature is invalid");
  }

  Struct claims;
  if (!internal::ParseJsonObject(*payload_json, &claims)) {
    return Malformed("token payload is not a JSON object");
  }
  auto iss = StringClaim(claims, "iss");
  if (!iss.ok()) return iss.status();
  if (iss->value_or("") != impl_->options.issuer) {
    return status::Unauthenticated("TOKEN_ISSUER_INVALID", "token issuer is not accepted");
  }
  const auto aud = claims.fields().find("aud");
  if (aud == claims.fields().end() || !AudienceMatches(aud->second, impl_->options.audience)) {
    return status::Unauthenticated("TOKEN_AUDIENCE_INVALID",
                                   "token is not meant for this audience");
  }
  auto exp = DateClaim(claims, "exp");
  if (!exp.ok()) return exp.status();
  if (!exp->has_value()) return Malformed("token has no exp claim");
  auto nbf = DateClaim(claims, "nbf");
  if (!nbf.ok()) return nbf.status();
  const auto leeway = impl_->options.leeway;
  if (now >= **exp + leeway) {
    return status::Unauthenticated("TOKEN_EXPIRED", "token has expired");
  }
  if (nbf->has_value() && now + leeway < **nbf) {
    return status::Unauthenticated("TOKEN_NOT_YET_VALID", "token is not valid yet");
  }

  Caller caller;
  caller.authenticated = true;
  caller.expires_at = **exp;
  caller.token = std::string(token);
  const std::pair<const char*, std::string*> strings[] = {
      {"sub", &caller.subject},   {"role", &caller.role},   {"lan", &caller.lan},
      {"kommun", &caller.kommun}, {"orgnr", &caller.orgnr}, {"agency", &caller.agency}};
  for (const auto& [name, field] : strings) {
    auto value = StringClaim(claims, name);
    if (!value.ok()) return value.status();
    *field = value->value_or("");
  }
  if (caller.subject.empty()) {
    // Every record of a caller (audit rows, request ids, a learner's own data) is keyed by
    // the subject: a token without one would make all such callers one.
    return status::Unauthenticated("TOKEN_SUBJECT_MISSING", "token has no sub claim");
  }
  caller.issuer = **iss;
  // From here on only the pseudonyms exist: the raw "sub" may be a personnummer.
  absl::StatusOr<std::string> pseudonym =
      impl_->options.subjects->Current(caller.issuer, caller.role, caller.subject);
  if (!pseudonym.ok()) return pseudonym.status();
  absl::StatusOr<std::vector<std::string>> former =
      impl_->options.subjects->Former(caller.issuer, caller.role, caller.subject);
  if (!former.ok()) return former.status();
  caller.subject = *std::move(pseudonym);
  caller.former_subjects = *std::move(former);
  auto scope = StringClaim(claims, "scope");
  if (!scope.ok()) return scope.status();
  if (scope->has_value()) {
    caller.scopes = absl::StrSplit(**scope, ' ', absl::SkipEmpty());
  }
  if (cache_key) impl_->cache.Insert(*cache_key, caller, keys->generation, now);
  return caller;
}

}  // namespace integration::auth
