// The ServiceSpec of the orientation service: its settings and the factory that builds
// OrientationServiceImpl with the identity-number protector.
#include "orientation_spec.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "certificate.h"
#include "integration/config/flags.h"
#include "orientation_service.h"
#include "rules/eligibility.h"

namespace integration::orientation {
namespace {

// Values of the service's own settings, registered by register_flags and read by the factory.
struct Settings {
  std::string* encryption_key_file = nullptr;
  std::string* hmac_key_file = nullptr;
  std::string* pension_reference_ages = nullptr;
  int64_t* start_window_days = nullptr;
  std::string* certificate_key_file = nullptr;
};

}  // namespace

service::ServiceSpec OrientationSpec(OrientationSpecOptions options) {
  auto settings = std::make_shared<Settings>();
  service::ServiceSpec spec;
  spec.name = "orientation";
  spec.binary = "orientation-server";
  spec.description =
      "Civic orientation (samhällsorientering): offerings of kommuner, participants, enrolment "
      "with an eligibility check, attendance per theme, completion and the county's follow-up.";
  spec.default_grpc_port = 50053;
  spec.default_admin_port = 9053;
  spec.migrations = OrientationMigrations();
  spec.queries = OrientationQueries();
  spec.register_flags = [settings](config::Flags& flags) {
    settings->encryption_key_file = flags.String(
        se::kPnrEncryptionKeyFileFlag, "",
        "file with the AES-256 key (64 hex digits or base64) that encrypts personnummer "
        "(required by serve)");
    settings->hmac_key_file = flags.String(
        se::kPnrHmacKeyFileFlag, "",
        "file with the HMAC-SHA256 key (64 hex digits or base64) of the personnummer look-up "
        "(required by serve)");
    settings->pension_reference_ages =
        flags.String(kPensionReferenceAgesFlag, "2023:66,2026:67",
                     "the pension reference age (riktålder) by the year it applies from, "
                     "year:age,...; the target group ends at it");
    settings->start_window_days = flags.Int(
        kStartWindowDaysFlag, 90,
        "the follow-up counts a start within this many days of the registration", 1, 3650);
    settings->certificate_key_file = flags.String(
        kCertificateKeyFileFlag, "",
        "PEM file of the Ed25519 private key certificates of completion are signed with "
        "(openssl genpkey -algorithm ed25519); required to serve");
  };
  spec.factory = [settings, clock = std::move(options.clock)](const service::Dependencies& deps)
      -> absl::StatusOr<std::unique_ptr<service::ServiceHandle>> {
    absl::StatusOr<se::PnrProtector> protector =
        se::PnrProtector::FromKeyFiles(*settings->encryption_key_file, *settings->hmac_key_file);
    if (!protector.ok()) return protector.status();
    if (settings->certificate_key_file->empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("--", kCertificateKeyFileFlag, " is required to serve"));
    }
    absl::StatusOr<document::Signer> signer =
        document::Signer::FromPemFile(*settings->certificate_key_file, CertificateDocument());
    if (!signer.ok()) return signer.status();
    absl::StatusOr<std::map<int, int>> ages =
        ParsePensionReferenceAges(*settings->pension_reference_ages);
    if (!ages.ok()) return ages.status();
    absl::TimeZone stockholm;
    if (!absl::LoadTimeZone("Europe/Stockholm", &stockholm)) {
      return absl::FailedPreconditionError(
          "the time zone Europe/Stockholm cannot be loaded (install tzdata)");
    }
    OrientationDeps orientation_deps{
        .pool = deps.pool,
        .runtime = deps.runtime,
        .nudge_outbox = deps.nudge_outbox,
        .protector = std::make_shared<const se::PnrProtector>(*std::move(protector)),
        .certificate_signer = std::make_shared<const document::Signer>(*std::move(signer)),
        .pension_reference_ages = *std::move(ages),
        .start_window_days = static_cast<int>(*settings->start_window_days),
        .zone = stockholm,
    };
    if (clock) orientation_deps.clock = clock;
    auto handle = std::make_unique<service::ServiceHandle>();
    absl::StatusOr<OrientationServiceImpl*> added = handle->AddService<v1::OrientationService>(
        deps.runtime, std::make_unique<OrientationServiceImpl>(std::move(orientation_deps)));
    if (!added.ok()) return added.status();
    return handle;
  };
  return spec;
}

}  // namespace integration::orientation
