// The web application's static serving without a server: which file a path gets, caching
// headers by kind of file, ETag revalidation, the single-page fallback, /config.json and the
// Content-Security-Policy; and the start-up errors of a bad directory or authority.
#include "static_site.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace integration::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string HeaderOf(const http::Response& response, std::string_view name) {
  std::string value;
  for (const auto& [field, v] : response.headers) {
    if (field == name) value = v;  // the last one wins, as the server sends it
  }
  return value;
}

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("static-site-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "assets");
    Write("index.html", "<!doctype html><html lang=\"sv\"><title>Kurs</title></html>");
    Write("assets/main-ABCDEF12.js", "console.log(1)");
    Write("assets/main-ABCDEF12.css", "body{}");
    Write("robots.txt", "User-agent: *\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& relative, const std::string& content) {
    std::ofstream(dir_ / relative, std::ios::binary) << content;
  }

  StaticSiteOptions Options() const {
    StaticSiteOptions options;
    options.directory = dir_.string();
    options.oidc_authority = "https://id.example.se/realms/kurs";
    options.oidc_client_id = "kurs-web";
    return options;
  }

  std::filesystem::path dir_;
};

TEST_F(StaticSiteTest, ServesFilesWithCachingByKind) {
  auto site = StaticSite::Load(Options());
  ASSERT_TRUE(site.ok()) << site.status();

  http::Response index = (*site)->Serve("/", "");
  EXPECT_EQ(index.status, 200);
  EXPECT_THAT(index.body, HasSubstr("lang=\"sv\""));
  EXPECT_EQ(HeaderOf(index, "content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(index, "cache-control"), "no-cache");

  http::Response script = (*site)->Serve("/assets/main-ABCDEF12.js", "");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.body, "console.log(1)");
  EXPECT_EQ(HeaderOf(script, "content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(script, "cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(HeaderOf((*site)->Serve("/assets/main-ABCDEF12.css", ""), "content-type"),
            "text/css; charset=utf-8");
  // Not content-hashed: revalidated.
  EXPECT_EQ(HeaderOf((*site)->Serve("/robots.txt", ""), "cache-control"), "no-cache");
}

TEST_F(StaticSiteTest, PageRoutesFallBackToIndexAndMissingFilesAre404) {
  auto site = StaticSite::Load(Options());
  ASSERT_TRUE(site.ok()) << site.status();
  const std::string index = (*site)->Serve("/index.html", "").body;
  for (const char* page : {"/verify", "/delar/introduktion", "/moduler/a/b/quiz"}) {
    http::Response response = (*site)->Serve(page, "");
    EXPECT_EQ(response.status, 200) << page;
    EXPECT_EQ(response.body, index) << page;
    EXPECT_EQ(HeaderOf(response, "cache-control"), "no-cache") << page;
  }
  http::Response missing = (*site)->Serve("/assets/gone-12345678.js", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, Not(HasSubstr("<html")));
  // Paths are looked up, never joined to the directory: nothing outside it can be reached.
  EXPECT_EQ((*site)->Serve("/../static_site_test.cc", "").status, 404);
  EXPECT_EQ((*site)->Serve("/assets/../../etc/passwd", "").status, 404);
}

TEST_F(StaticSiteTest, EtagRevalidationAnswers304) {
  auto site = StaticSite::Load(Options());
  ASSERT_TRUE(site.ok()) << site.status();
  http::Response first = (*site)->Serve("/", "");
  const std::string etag = HeaderOf(first, "etag");
  ASSERT_FALSE(etag.empty());
  http::Response again = (*site)->Serve("/", "\"other\", " + etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ((*site)->Serve("/", "W/" + etag).status, 304);
  EXPECT_EQ((*site)->Serve("/", "\"other\"").status, 200);
}

TEST_F(StaticSiteTest, PolicyForbidsInlineCodeAndAllowsTheProvider) {
  auto site = StaticSite::Load(Options());
  ASSERT_TRUE(site.ok()) << site.status();
  const std::string csp = HeaderOf((*site)->Serve("/", ""), "content-security-policy");
  EXPECT_EQ(csp, (*site)->content_security_policy());
  EXPECT_THAT(csp, HasSubstr("script-src 'self';"));
  EXPECT_THAT(csp, HasSubstr("style-src 'self';"));
  EXPECT_THAT(csp, HasSubstr("connect-src 'self' https://id.example.se;"));
  EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe-inline")));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe-eval")));
  EXPECT_EQ(HeaderOf((*site)->Serve("/verify", ""), "content-security-policy"), csp);
}

TEST_F(StaticSiteTest, ConfigJsonCarriesTheSignInSettings) {
  auto site = StaticSite::Load(Options());
  ASSERT_TRUE(site.ok()) << site.status();
  http::Response config = (*site)->Serve("/config.json", "");
  EXPECT_EQ(config.status, 200);
  EXPECT_EQ(HeaderOf(config, "cache-control"), "no-cache");
  const nlohmann::json parsed = nlohmann::json::parse(config.body);
  EXPECT_EQ(parsed["oidcAuthority"], "https://id.example.se/realms/kurs");
  EXPECT_EQ(parsed["oidcClientId"], "kurs-web");
}

TEST_F(StaticSiteTest, RefusesAMissingDirectoryIndexOrBadAuthority) {
  StaticSiteOptions options = Options();
  options.directory = (dir_ / "nowhere").string();
  auto missing = StaticSite::Load(options);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);

  std::filesystem::remove(dir_ / "index.html");
  auto no_index = StaticSite::Load(Options());
  EXPECT_EQ(no_index.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(no_index.status().message(), HasSubstr("index.html"));
  Write("index.html", "<!doctype html>");

  options = Options();
  options.oidc_authority = "javascript:alert(1)";
  EXPECT_EQ(StaticSite::Load(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.oidc_authority = "https://id.example.se; script-src *";
  EXPECT_EQ(StaticSite::Load(options).status().code(), absl::StatusCode::kInvalidArgument);

  options = Options();
  options.max_total_bytes = 10;
  EXPECT_EQ(StaticSite::Load(options).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace integration::gateway
