// The ServiceSpec of the training service: its settings, the diploma keys they name, and the
// factory that builds TrainingServiceImpl.
#include "training_spec.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "diploma.h"
#include "diploma_pdf.h"
#include "integration/config/flags.h"
#include "integration/log/log.h"
#include "training_service.h"

namespace integration::training {
namespace {

constexpr char kSigningKeyFlag[] = "diploma-signing-key-file";
constexpr char kPreviousKeysFlag[] = "diploma-previous-public-keys-file";
constexpr char kVerifyUrlFlag[] = "diploma-verify-url";

// Values of the service's own settings, registered by register_flags and read by the factory
// (both hold the shared_ptr, so it outlives the Flags object's parse).
struct Settings {
  std::string* signing_key_file = nullptr;
  std::string* previous_keys_file = nullptr;
  std::string* verify_url = nullptr;
};

// "setting --x (env TRAINING_X)": how start-up errors name a setting.
std::string Label(const config::Flags& flags, const char* flag) {
  return absl::StrCat("setting --", flag, " (env ", flags.EnvName(flag), ")");
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  return text.str();
}

// The public keys of a file holding zero or more PEM "PUBLIC KEY" blocks (text between the
// blocks, e.g. comments naming the keys, is ignored).
absl::StatusOr<std::vector<DiplomaVerifyKey>> ReadPreviousKeys(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  const std::string kBegin = "-----BEGIN PUBLIC KEY-----";
  const std::string kEnd = "-----END PUBLIC KEY-----";
  std::vector<DiplomaVerifyKey> keys;
  size_t pos = 0;
  while ((pos = text->find(kBegin, pos)) != std::string::npos) {
    const size_t end = text->find(kEnd, pos);
    if (end == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": public key block ", keys.size() + 1, " has no END line"));
    }
    const std::string block = text->substr(pos, end + kEnd.size() - pos) + "\n";
    absl::StatusOr<DiplomaVerifyKey> key = DiplomaVerifyKey::FromPem(block);
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": public key ", keys.size() + 1, ": ",
                                                     key.status().message()));
    }
    keys.push_back(*std::move(key));
    pos = end + kEnd.size();
  }
  if (keys.empty() && text->find_first_not_of(" \t\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no \"", kBegin, "\" block (expected PEM public keys)"));
  }
  return keys;
}

}  // namespace

service::ServiceSpec TrainingSpec(TrainingSpecOptions options) {
  auto settings = std::make_shared<Settings>();
  service::ServiceSpec spec;
  spec.name = "training";
  spec.binary = "training-server";
  spec.description =
      "The web course \"Bättre bemötande\": course content, learners, quiz attempts, signed "
      "diplomas and statistics.";
  spec.default_grpc_port = 50055;
  spec.default_admin_port = 9055;
  spec.migrations = TrainingMigrations();
  spec.queries = TrainingQueries();
  spec.register_flags = [settings](config::Flags& flags) {
    settings->signing_key_file = flags.String(
        kSigningKeyFlag, "",
        "PEM file of the Ed25519 private key diplomas are signed with (openssl genpkey "
        "-algorithm ed25519); required to serve");
    settings->previous_keys_file = flags.String(
        kPreviousKeysFlag, "",
        "PEM file of the public keys of earlier signing keys, still published by "
        "GetDiplomaPublicKey so that the diplomas they signed verify");
    settings->verify_url = flags.String(
        kVerifyUrlFlag, "", "where a diploma's code can be checked, printed on diploma PDFs");
  };
  spec.factory = [settings, clock = std::move(options.clock)](const service::Dependencies& deps)
      -> absl::StatusOr<std::unique_ptr<service::ServiceHandle>> {
    if (settings->signing_key_file->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Label(deps.flags, kSigningKeyFlag), " is required"));
    }
    absl::StatusOr<DiplomaSigner> signer = DiplomaSigner::FromPemFile(*settings->signing_key_file);
    if (!signer.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Label(deps.flags, kSigningKeyFlag), ": ", signer.status().message()));
    }
    std::vector<DiplomaVerifyKey> previous;
    if (!settings->previous_keys_file->empty()) {
      absl::StatusOr<std::vector<DiplomaVerifyKey>> keys =
          ReadPreviousKeys(*settings->previous_keys_file);
      if (!keys.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(Label(deps.flags, kPreviousKeysFlag), ": ", keys.status().message()));
      }
      // The current key is published first anyway; listing it again would only confuse.
      for (DiplomaVerifyKey& key : *keys) {
        if (key.key_id() != signer->key_id()) previous.push_back(std::move(key));
      }
    }
    // Issue dates and statistics are in Swedish time; without the zone data every diploma
    // would carry a wrong date, so refuse to start instead.
    absl::TimeZone stockholm;
    if (!absl::LoadTimeZone("Europe/Stockholm", &stockholm)) {
      return absl::FailedPreconditionError(
          "the time zone Europe/Stockholm cannot be loaded (install tzdata)");
    }

    TrainingDeps training_deps{
        .pool = deps.pool,
        .runtime = deps.runtime,
        .nudge_outbox = deps.nudge_outbox,
        .signer = std::make_shared<const DiplomaSigner>(*std::move(signer)),
        .previous_keys = std::move(previous),
        .pdf = DiplomaPdfOptions{},
    };
    training_deps.pdf.verify_url = *settings->verify_url;
    if (clock) training_deps.clock = clock;
    log::Info("diploma_keys_loaded",
              {{"key_id", training_deps.signer->key_id()},
               {"previous_keys", static_cast<int>(training_deps.previous_keys.size())}});

    auto handle = std::make_unique<service::ServiceHandle>();
    absl::StatusOr<TrainingServiceImpl*> added =
        handle->AddService<v1::TrainingService>(
            deps.runtime, std::make_unique<TrainingServiceImpl>(std::move(training_deps)));
    if (!added.ok()) return added.status();
    return handle;
  };
  return spec;
}

}  // namespace integration::training
