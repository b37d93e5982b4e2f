// The real services the e2e suite runs behind the gateway, and the settings each needs beyond
// those every service has. A new service is one entry in RealServices() (its spec and, if it has
// any, a function writing its own settings) plus its server library in CMakeLists.txt.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "suite.h"
#include "training_spec.h"

namespace integration::e2e {
namespace {

// A fresh Ed25519 private key as PKCS#8 PEM.
absl::StatusOr<std::string> NewEd25519KeyPem() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (key == nullptr || bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError("cannot make an Ed25519 key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// training-server signs diplomas with a key of its own (--diploma-signing-key-file).
absl::StatusOr<std::vector<std::string>> TrainingSettings(const std::string& dir) {
  absl::StatusOr<std::string> pem = NewEd25519KeyPem();
  if (!pem.ok()) return pem.status();
  const std::string file = dir + "/diploma_signing_key.pem";
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << *pem;
  out.close();
  if (!out) return absl::InternalError("cannot write " + file);
  return std::vector<std::string>{
      "--diploma-signing-key-file=" + file,
      "--diploma-verify-url=https://integration.lansstyrelsen.se/verify",
  };
}

}  // namespace

std::vector<SuiteService> RealServices() {
  std::vector<SuiteService> services;
  services.push_back({training::TrainingSpec(), TrainingSettings});
  return services;
}

}  // namespace integration::e2e
