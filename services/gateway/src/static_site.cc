// Serving the built web application from memory: see static_site.h.
#include "static_site.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>
#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace integration::gateway {
namespace {

namespace fs = std::filesystem;

// Abseil's string_view is its own type in this toolchain.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Media types of what a bundler emits; anything else is served as bytes (and nosniff keeps
// the browser from guessing).
std::string ContentTypeOf(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  const std::string ext =
      dot == std::string_view::npos ? "" : absl::AsciiStrToLower(Av(path.substr(dot + 1)));
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "webmanifest") return "application/manifest+json";
  return "application/octet-stream";
}

// A strong validator from the content (the first 16 bytes of SHA-256, hex).
std::string EtagOf(std::string_view body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  return absl::StrCat("\"", absl::BytesToHexString(absl::string_view(
                                reinterpret_cast<const char*>(digest), 16)),
                      "\"");
}

// esbuild names its outputs "<name>-<8+ character hash>.<ext>" under assets/: such a file
// never changes, so browsers may keep it for a year. Everything else is revalidated.
bool IsHashedAsset(std::string_view url_path) {
  if (!absl::StartsWith(Av(url_path), "/assets/")) return false;
  const std::size_t dash = url_path.rfind('-');
  const std::size_t dot = url_path.rfind('.');
  return dash != std::string_view::npos && dot != std::string_view::npos && dot > dash + 8;
}

// "https://id.example.se/realms/x" -> "https://id.example.se"; "" when not an http(s) URL.
std::string OriginOf(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http") return "";
  const std::size_t host_end = url.find('/', scheme_end + 3);
  const std::string_view origin = url.substr(0, host_end);
  if (origin.size() == scheme_end + 3) return "";
  for (char c : origin) {
    // The origin goes into a header: nothing that could end or split a policy directive.
    if (c == ';' || c == ',' || c == '\'' || c == '"' || absl::ascii_isspace(c) ||
        absl::ascii_iscntrl(c)) {
      return "";
    }
  }
  return std::string(origin);
}

// A page of the application: no "." or ".." segment (never a real page, only a probe) and no
// '.' in the last segment (which names a file).
bool IsPageRoute(std::string_view path) {
  for (absl::string_view segment : absl::StrSplit(Av(path), '/')) {
    if (segment == "." || segment == "..") return false;
  }
  const std::size_t slash = path.rfind('/');
  const std::string_view last = path.substr(slash + 1);
  return last.find('.') == std::string_view::npos;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StaticSite>> StaticSite::Load(const StaticSiteOptions& options) {
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::path(options.directory), ec);
  if (ec || !fs::is_directory(root, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("web directory \"", options.directory, "\" is not a directory"));
  }
  std::string authority_origin;
  if (!options.oidc_authority.empty()) {
    authority_origin = OriginOf(options.oidc_authority);
    if (authority_origin.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "OpenID authority \"", options.oidc_authority, "\" is not an http(s) URL"));
    }
  }
  auto site = std::unique_ptr<StaticSite>(new StaticSite());
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    const std::string relative = fs::relative(it->path(), root, ec).generic_string();
    if (ec) break;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read ", it->path().string(), " of the web directory"));
    }
    File file;
    file.body = std::move(content).str();
    total += file.body.size();
    if (total > options.max_total_bytes) {
      return absl::FailedPreconditionError(absl::StrCat("web directory \"", options.directory,
                                                        "\" holds more than ",
                                                        options.max_total_bytes, " bytes"));
    }
    const std::string url_path = "/" + relative;
    file.content_type = ContentTypeOf(url_path);
    file.etag = EtagOf(file.body);
    file.immutable = IsHashedAsset(url_path);
    site->files_.emplace(url_path, std::move(file));
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot list web directory \"", options.directory, "\": ", ec.message()));
  }
  if (!site->files_.contains("/index.html")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "web directory \"", options.directory, "\" has no index.html (build web/ first)"));
  }
  // The sign-in settings of this deployment, so one build serves every environment.
  File config;
  config.body = nlohmann::json{{"oidcAuthority", options.oidc_authority},
                               {"oidcClientId", options.oidc_client_id}}
                    .dump();
  config.content_type = "application/json";
  config.etag = EtagOf(config.body);
  site->files_.insert_or_assign("/config.json", std::move(config));

  // Scripts and styles from our own origin only: no inline code, no eval. The provider takes
  // part in sign-in (discovery and token requests, the login form's target).
  const std::string provider = authority_origin.empty() ? "" : " " + authority_origin;
  site->csp_ = absl::StrCat(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "font-src 'self'; connect-src 'self'",
      provider, "; form-action 'self'", provider,
      "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
  return site;
}

http::Response StaticSite::Answer(const File& file, std::string_view if_none_match) const {
  http::Response out;
  out.headers.emplace_back("content-security-policy", csp_);
  out.headers.emplace_back("referrer-policy", "no-referrer");
  out.headers.emplace_back("x-content-type-options", "nosniff");
  out.headers.emplace_back("cache-control", file.immutable ? "public, max-age=31536000, immutable"
                                                           : "no-cache");
  out.headers.emplace_back("etag", file.etag);
  for (absl::string_view tag : absl::StrSplit(Av(if_none_match), ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    absl::ConsumePrefix(&tag, "W/");  // If-None-Match compares weakly (RFC 9110 13.1.2)
    if (tag == file.etag || tag == "*") {
      out.status = 304;
      return out;
    }
  }
  out.headers.emplace_back("content-type", file.content_type);
  out.body = file.body;
  return out;
}

http::Response StaticSite::Serve(std::string_view path, std::string_view if_none_match) const {
  std::string_view key = path == "/" ? "/index.html" : path;
  if (auto it = files_.find(key); it != files_.end()) return Answer(it->second, if_none_match);
  if (IsPageRoute(path)) return Answer(files_.find("/index.html")->second, if_none_match);
  http::Response out;
  out.status = 404;
  out.headers.emplace_back("content-security-policy", csp_);
  out.headers.emplace_back("x-content-type-options", "nosniff");
  out.headers.emplace_back("cache-control", "no-cache");
  out.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  out.body = "Sidan finns inte.\n";
  return out;
}

}  // namespace integration::gateway
