// The learner's web application (web/, built into static files) as the gateway's HTTP front
// serves it under "/": files from a directory read once at start, caching headers by kind of
// file, a Content-Security-Policy without 'unsafe-inline', the single-page fallback to
// index.html for page routes, and /config.json with the sign-in settings of this deployment.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "integration/http/server.h"

namespace integration::gateway {

struct StaticSiteOptions {
  // The built application: index.html at its top, hashed bundles under assets/.
  std::string directory;
  // The OpenID provider the application signs learners in with (its issuer URL) and the
  // application's client id there; published in /config.json. The provider's origin is added
  // to the policy's connect-src (discovery, token endpoint) and form-action.
  std::string oidc_authority;
  std::string oidc_client_id;
  // Files above this total size are refused at start (the site is held in memory).
  std::size_t max_total_bytes = 64 * 1024 * 1024;
};

// Immutable after Load; thread-safe.
class StaticSite {
 public:
  // Reads every regular file below options.directory (symbolic links are not followed).
  // Errors: FAILED_PRECONDITION when the directory or its index.html is missing or too large;
  // INVALID_ARGUMENT when the authority is not an http(s) URL.
  static absl::StatusOr<std::unique_ptr<StaticSite>> Load(const StaticSiteOptions& options);

  // The answer to a GET of `path` (no query): a file, /config.json, index.html for a page
  // route (a path whose last segment has no '.'), or 404. `if_none_match` is the request's
  // If-None-Match header; a matching ETag gives 304.
  http::Response Serve(std::string_view path, std::string_view if_none_match) const;

  // The Content-Security-Policy every answer of the site carries.
  const std::string& content_security_policy() const { return csp_; }

 private:
  struct File {
    std::string body;
    std::string content_type;
    std::string etag;
    bool immutable = false;  // a content-hashed name: cached for a year
  };
  StaticSite() = default;
  http::Response Answer(const File& file, std::string_view if_none_match) const;

  std::map<std::string, File, std::less<>> files_;  // by URL path ("/index.html")
  std::string csp_;
};

}  // namespace integration::gateway
