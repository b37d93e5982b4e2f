// Service tests of the HTTP front over TLS: HTTPS with a CA-signed certificate, mutual TLS
// refusing clients without a certificate, and a renewed certificate picked up without restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http_front.h"
#include "integration/testing/temp_dir.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"

namespace integration::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using PrivateKey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Certificate = std::unique_ptr<X509, X509Free>;

// A key pair and certificate; `issuer` null means self-signed (a CA).
struct Identity {
  PrivateKey key;
  Certificate cert;
};

Identity Issue(const std::string& common_name, const Identity* issuer, long serial) {
  Identity id;
  id.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  id.cert.reset(X509_new());
  X509* cert = id.cert.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, id.key.get());
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509* issuer_cert = issuer == nullptr ? cert : issuer->cert.get();
  X509_set_issuer_name(cert, X509_get_subject_name(issuer_cert));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer_cert, cert, nullptr, nullptr, 0);
  const std::vector<std::pair<int, std::string>> extensions =
      issuer == nullptr
          ? std::vector<std::pair<int, std::string>>{{NID_basic_constraints, "critical,CA:TRUE"},
                                                     {NID_key_usage, "critical,keyCertSign"}}
          : std::vector<std::pair<int, std::string>>{
                {NID_basic_constraints, "CA:FALSE"},
                {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"}};
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    EXPECT_NE(extension, nullptr);
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
  }
  EVP_PKEY* signer = issuer == nullptr ? id.key.get() : issuer->key.get();
  EXPECT_GT(X509_sign(cert, signer, EVP_sha256()), 0);
  return id;
}

std::string CertPem(const Identity& id) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, id.cert.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string KeyPem(const Identity& id) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, id.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

class NoBackend : public Dispatcher {
 public:
  std::vector<const google::protobuf::MethodDescriptor*> Methods() const override {
    const auto* service = lansstyrelsen::integration::training::v1::ListPartsRequest::descriptor()
                              ->file()
                              ->FindServiceByName("TrainingService");
    return {service->FindMethodByName("GetPart")};
  }
  void Dispatch(BackendCall, Done done) override {
    BackendResult result;
    result.status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "no backend in this test");
    done(std::move(result));
  }
};

class HttpFrontTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ca_ = Issue("test-ca", nullptr, 1);
    server_ = Issue("gateway-1", &ca_, 2);
    client_ = Issue("frontend", &ca_, 3);
    dir_.Write("ca.pem", CertPem(ca_));
    dir_.Write("server.pem", CertPem(server_));
    dir_.Write("server.key", KeyPem(server_));
  }
  void TearDown() override { front_.reset(); }

  void Start(bool mutual) {
    HttpFrontOptions options;
    options.bind = "127.0.0.1";
    options.tls.cert_file = dir_.File("server.pem");
    options.tls.key_file = dir_.File("server.key");
    if (mutual) options.tls.client_ca_file = dir_.File("ca.pem");
    options.tls.reload_interval = std::chrono::seconds(1);
    auto started = HttpFront::Start(backend_, std::move(options));
    ASSERT_TRUE(started.ok()) << started.status();
    front_ = *std::move(started);
  }

  // One HTTPS GET; returns the HTTP status and the server certificate's CN, or -1 when the
  // handshake fails.
  std::pair<int, std::string> Get(const std::string& target, const Identity* client_identity) {
    asio::io_context ioc;
    asio::ssl::context context(asio::ssl::context::tls_client);
    const std::string ca = CertPem(ca_);
    context.add_certificate_authority(asio::buffer(ca));
    context.set_verify_mode(asio::ssl::verify_peer);
    if (client_identity != nullptr) {
      const std::string cert = CertPem(*client_identity);
      const std::string key = KeyPem(*client_identity);
      context.use_certificate(asio::buffer(cert), asio::ssl::context::pem);
      context.use_private_key(asio::buffer(key), asio::ssl::context::pem);
    }
    asio::ssl::stream<tcp::socket> stream(ioc, context);
    beast::error_code ec;
    stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                              static_cast<unsigned short>(front_->port())),
                                ec);
    if (ec) return {-1, ec.message()};
    stream.handshake(asio::ssl::stream_base::client, ec);
    if (ec) return {-1, ec.message()};
    std::string common_name;
    if (X509* peer = SSL_get1_peer_certificate(stream.native_handle())) {
      char buffer[256] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buffer,
                                sizeof(buffer));
      common_name = buffer;
      X509_free(peer);
    }
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, "localhost");
    http::write(stream, request, ec);
    if (ec) return {-1, ec.message()};
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response, ec);
    // With TLS 1.3 a refused client certificate surfaces on the first read.
    if (ec) return {-1, ec.message()};
    return {response.result_int(), common_name};
  }

  integration::testing::TempDir dir_{"gateway-tls-"};
  Identity ca_, server_, client_;
  NoBackend backend_;
  std::unique_ptr<HttpFront> front_;
};

TEST_F(HttpFrontTlsTest, ServesHttpsWithTheConfiguredCertificate) {
  Start(/*mutual=*/false);
  auto [status, common_name] = Get("/healthz", nullptr);
  EXPECT_EQ(status, 200) << common_name;
  EXPECT_EQ(common_name, "gateway-1");
  EXPECT_EQ(Get("/v1/parts/p1", nullptr).first, 503);
}

TEST_F(HttpFrontTlsTest, MutualTlsRefusesClientsWithoutCertificate) {
  Start(/*mutual=*/true);
  EXPECT_EQ(Get("/healthz", nullptr).first, -1);
  EXPECT_EQ(Get("/healthz", &client_).first, 200);
  Identity stranger_ca = Issue("other-ca", nullptr, 7);
  Identity stranger = Issue("stranger", &stranger_ca, 8);
  EXPECT_EQ(Get("/healthz", &stranger).first, -1);
}

TEST_F(HttpFrontTlsTest, RenewedCertificateIsPickedUpWithoutRestart) {
  Start(/*mutual=*/false);
  ASSERT_EQ(Get("/healthz", nullptr).second, "gateway-1");
  Identity renewed = Issue("gateway-2", &ca_, 4);
  // A later modification time than the first files, whatever the file system's resolution.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  dir_.Write("server.key", KeyPem(renewed));
  dir_.Write("server.pem", CertPem(renewed));
  std::string seen;
  for (int i = 0; i < 50 && seen != "gateway-2"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = Get("/healthz", nullptr).second;
  }
  EXPECT_EQ(seen, "gateway-2");
}

}  // namespace
}  // namespace integration::gateway
