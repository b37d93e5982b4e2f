// TLS and mutual TLS between MakeChannel and a Runtime listener, with certificates made in the
// test by a throw-away CA.
#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace integration::grpc::testing {
namespace {

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `cn`, signed by issuer_key (self-signed when issuer is null).
Cert MakeCert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, bool is_ca,
              const char* san, long serial) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  if (is_ca) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  if (san != nullptr) AddExtension(cert.get(), signer, NID_subject_alt_name, san);
  X509_sign(cert.get(), issuer_key, EVP_sha256());
  return cert;
}

Key NewKey() { return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

// A CA with one server certificate (localhost, 127.0.0.1) and one client certificate.
class TlsFiles {
 public:
  TlsFiles() {
    Key ca_key = NewKey();
    Cert ca = MakeCert(ca_key.get(), "test CA", nullptr, ca_key.get(), true, nullptr, 1);
    Key server_key = NewKey();
    Cert server = MakeCert(server_key.get(), "localhost", ca.get(), ca_key.get(), false,
                           "DNS:localhost,IP:127.0.0.1", 2);
    Key client_key = NewKey();
    Cert client =
        MakeCert(client_key.get(), "agency-client", ca.get(), ca_key.get(), false, nullptr, 3);
    Key other_ca_key = NewKey();
    Cert other_ca =
        MakeCert(other_ca_key.get(), "other CA", nullptr, other_ca_key.get(), true, nullptr, 4);
    ca_file = dir_.Write("ca.pem", CertPem(ca.get()));
    other_ca_file = dir_.Write("other_ca.pem", CertPem(other_ca.get()));
    server_cert = dir_.Write("server.pem", CertPem(server.get()));
    server_key_file = dir_.Write("server.key", KeyPem(server_key.get()));
    client_cert = dir_.Write("client.pem", CertPem(client.get()));
    client_key_file = dir_.Write("client.key", KeyPem(client_key.get()));
  }

  std::string ca_file, other_ca_file, server_cert, server_key_file, client_cert, client_key_file;

 private:
  TempDir dir_;
};

::grpc::Status CallEcho(const EchoServer& server, const std::string& target,
                        const ChannelOptions& options) {
  absl::StatusOr<std::shared_ptr<::grpc::Channel>> channel = MakeChannel(target, options);
  if (!channel.ok())
    return ::grpc::Status(::grpc::StatusCode::UNKNOWN, channel.status().ToString());
  auto stub = echo::EchoService::NewStub(*channel);
  ::grpc::ClientContext ctx;
  server.Prepare(ctx, std::chrono::seconds(5));
  echo::EchoRequest req;
  req.set_message("over tls");
  echo::EchoResponse resp;
  ::grpc::Status st = stub->Echo(&ctx, req, &resp);
  if (st.ok() && resp.message() != "over tls") {
    return ::grpc::Status(::grpc::StatusCode::DATA_LOSS, "wrong echo");
  }
  return st;
}

TEST(TlsTest, ServerTlsWithVerifiedHostName) {
  TlsFiles files;
  ServerOptions options = TestOptions();
  options.tls.cert_file = files.server_cert;
  options.tls.key_file = files.server_key_file;
  EchoServer server(PlainEcho, options);
  ASSERT_TRUE(server.start_status().ok());
  // An IP literal with the name to verify: resolving "localhost" would go through c-ares,
  // whose Debian build leaks under LeakSanitizer.
  const std::string target = server.target();

  ChannelOptions tls;
  tls.tls.enabled = true;
  tls.tls.ca_file = files.ca_file;
  tls.tls.server_name_override = "localhost";
  ::grpc::Status st = CallEcho(server, target, tls);
  EXPECT_TRUE(st.ok()) << st.error_message();

  // Untrusted CA, or a name the certificate does not carry: no connection.
  ChannelOptions wrong_ca = tls;
  wrong_ca.tls.ca_file = files.other_ca_file;
  EXPECT_EQ(CallEcho(server, target, wrong_ca).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  ChannelOptions wrong_name = tls;
  wrong_name.tls.server_name_override = "grants.example";
  EXPECT_EQ(CallEcho(server, target, wrong_name).error_code(), ::grpc::StatusCode::UNAVAILABLE);
  // Plaintext against a TLS listener fails too.
  EXPECT_EQ(CallEcho(server, target, ChannelOptions()).error_code(),
            ::grpc::StatusCode::UNAVAILABLE);
}

TEST(TlsTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  TlsFiles files;
  ServerOptions options = TestOptions();
  options.tls.cert_file = files.server_cert;
  options.tls.key_file = files.server_key_file;
  options.tls.client_ca_file = files.ca_file;
  EchoServer server(PlainEcho, options);
  ASSERT_TRUE(server.start_status().ok());
  // An IP literal with the name to verify: resolving "localhost" would go through c-ares,
  // whose Debian build leaks under LeakSanitizer.
  const std::string target = server.target();

  ChannelOptions mtls;
  mtls.tls.enabled = true;
  mtls.tls.ca_file = files.ca_file;
  mtls.tls.cert_file = files.client_cert;
  mtls.tls.key_file = files.client_key_file;
  mtls.tls.server_name_override = "localhost";
  ::grpc::Status st = CallEcho(server, target, mtls);
  EXPECT_TRUE(st.ok()) << st.error_message();

  ChannelOptions no_client_cert;
  no_client_cert.tls.enabled = true;
  no_client_cert.tls.ca_file = files.ca_file;
  no_client_cert.tls.server_name_override = "localhost";
  EXPECT_EQ(CallEcho(server, target, no_client_cert).error_code(), ::grpc::StatusCode::UNAVAILABLE);
}

// cert-manager renews certificates by rewriting the mounted files: the listener re-reads them
// (every reload_interval) and new connections get the new certificate without a restart. Here
// the server's certificate moves to another CA, which clients trusting only that CA then accept.
TEST(TlsTest, RenewedCertificateFilesAreServedWithoutRestart) {
  TempDir dir;
  Key first_ca_key = NewKey();
  Cert first_ca =
      MakeCert(first_ca_key.get(), "first CA", nullptr, first_ca_key.get(), true, nullptr, 1);
  Key second_ca_key = NewKey();
  Cert second_ca =
      MakeCert(second_ca_key.get(), "second CA", nullptr, second_ca_key.get(), true, nullptr, 2);
  const std::string first_ca_file = dir.Write("first_ca.pem", CertPem(first_ca.get()));
  const std::string second_ca_file = dir.Write("second_ca.pem", CertPem(second_ca.get()));
  auto issue = [&](X509* ca, EVP_PKEY* ca_key, long serial) {
    Key key = NewKey();
    Cert cert =
        MakeCert(key.get(), "localhost", ca, ca_key, false, "DNS:localhost,IP:127.0.0.1", serial);
    // Key first, then the certificate, as a renewal writes them; the watcher only takes a pair
    // whose key matches.
    dir.Write("server.key", KeyPem(key.get()));
    dir.Write("server.pem", CertPem(cert.get()));
  };
  issue(first_ca.get(), first_ca_key.get(), 10);
  ServerOptions options = TestOptions();
  options.tls.cert_file = dir.path() + "/server.pem";
  options.tls.key_file = dir.path() + "/server.key";
  options.tls.reload_interval = std::chrono::seconds(1);
  EchoServer server(PlainEcho, options);
  ASSERT_TRUE(server.start_status().ok());
  auto trusting = [&](const std::string& ca_file) {
    ChannelOptions o;
    o.tls.enabled = true;
    o.tls.ca_file = ca_file;
    o.tls.server_name_override = "localhost";
    return o;
  };
  EXPECT_TRUE(CallEcho(server, server.target(), trusting(first_ca_file)).ok());
  EXPECT_EQ(CallEcho(server, server.target(), trusting(second_ca_file)).error_code(),
            ::grpc::StatusCode::UNAVAILABLE);

  issue(second_ca.get(), second_ca_key.get(), 11);
  bool renewed = false;
  for (int i = 0; i < 50 && !renewed; ++i) {
    absl::SleepFor(absl::Milliseconds(200));
    renewed = CallEcho(server, server.target(), trusting(second_ca_file)).ok();
  }
  EXPECT_TRUE(renewed) << "the renewed certificate was not picked up";
  EXPECT_EQ(CallEcho(server, server.target(), trusting(first_ca_file)).error_code(),
            ::grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace integration::grpc::testing
