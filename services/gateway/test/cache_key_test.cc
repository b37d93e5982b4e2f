// Response cache keys and the visibility rules that keep one caller's answer from another.
#include "gtest/gtest.h"
#include "integration/auth/auth.h"
#include "response_cache.h"

namespace integration::gateway {
namespace {

auth::Policy PublicPolicy() {
  auth::Policy p;
  p.set_public_(true);
  p.set_cacheable(true);
  return p;
}

auth::Policy RolePolicy() {
  auth::Policy p;
  p.add_roles("county_officer");
  p.set_cacheable(true);
  return p;
}

auth::Caller As(const std::string& role) {
  auth::Caller c;
  c.authenticated = true;
  c.role = role;
  c.subject = "sub-1";
  return c;
}

TEST(CacheVisibility, AnonymousCallersOfPublicMethodsSharePublic) {
  EXPECT_EQ(CacheVisibility(PublicPolicy(), auth::Caller{}), "public");
}

TEST(CacheVisibility, AuthenticatedCallersNeverShareThePublicEntry) {
  // ListModules answers a county_admin with drafts: that answer must not reach the public.
  auth::Caller admin = As("county_admin");
  admin.lan = "12";
  EXPECT_EQ(CacheVisibility(PublicPolicy(), admin), "role=county_admin;lan=12");
}

TEST(CacheVisibility, ScopingClaimsSeparateCallersOfOneRole) {
  auth::Caller a = As("county_officer");
  a.lan = "12";
  auth::Caller b = As("county_officer");
  b.lan = "01";
  EXPECT_NE(CacheVisibility(RolePolicy(), a), CacheVisibility(RolePolicy(), b));
  auth::Caller same_as_a = As("county_officer");
  same_as_a.lan = "12";
  same_as_a.subject = "another-officer";
  EXPECT_EQ(CacheVisibility(RolePolicy(), a), CacheVisibility(RolePolicy(), same_as_a))
      << "officers of one county share entries";

  auth::Caller muni = As("municipality_officer");
  muni.kommun = "1280";
  EXPECT_EQ(CacheVisibility(RolePolicy(), muni), "role=municipality_officer;kommun=1280");
  auth::Caller org = As("organisation_rep");
  org.orgnr = "5560360793";
  EXPECT_EQ(CacheVisibility(RolePolicy(), org), "role=organisation_rep;orgnr=5560360793");
  auth::Caller agency = As("agency_system");
  agency.agency = "migrationsverket";
  EXPECT_EQ(CacheVisibility(RolePolicy(), agency), "role=agency_system;agency=migrationsverket");
}

TEST(CacheVisibility, LearnersOnlySeeTheirOwnEntries) {
  auth::Caller a = As("learner");
  a.subject = "anna";
  auth::Caller b = As("learner");
  b.subject = "bertil";
  EXPECT_EQ(CacheVisibility(PublicPolicy(), a), "role=learner;sub=anna");
  EXPECT_NE(CacheVisibility(PublicPolicy(), a), CacheVisibility(PublicPolicy(), b));
}

TEST(CacheVisibility, ClaimValuesCannotForgeSeparators) {
  auth::Caller tricky = As("learner");
  tricky.subject = "x;lan=12:y";
  const std::string v = CacheVisibility(PublicPolicy(), tricky);
  EXPECT_EQ(v, "role=learner;sub=x%3Blan%3D12%3Ay");
  EXPECT_EQ(v.find(':'), std::string::npos);
}

TEST(Sha256Hex, MatchesTheStandardVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CacheKey, IsMethodGenerationRequestHashAndVisibility) {
  const std::string method = "lansstyrelsen.integration.training.v1.TrainingService/ListParts";
  EXPECT_EQ(CacheKey(method, 7, "abc", "public"),
            "gateway:cache:lansstyrelsen.integration.training.v1.TrainingService/ListParts:7:"
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad:public");
  EXPECT_NE(CacheKey(method, 7, "abc", "public"), CacheKey(method, 8, "abc", "public"))
      << "a new generation makes old entries unreachable";
  EXPECT_NE(CacheKey(method, 7, "abc", "public"), CacheKey(method, 7, "abd", "public"));
  EXPECT_NE(CacheKey(method, 7, "abc", "public"), CacheKey(method, 7, "abc", "role=x"));
  EXPECT_NE(CacheKey(method, 7, "abc", "public"),
            CacheKey("lansstyrelsen.integration.training.v1.TrainingService/GetPart", 7, "abc",
                     "public"));
}

TEST(CacheKey, ServiceKeysAndStreams) {
  EXPECT_EQ(GenerationKey("training"), "gateway:cache:gen:training");
  EXPECT_EQ(EventStream("training"), "integration.events.training");
}

}  // namespace
}  // namespace integration::gateway
