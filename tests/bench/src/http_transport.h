// The HTTP/1.1 transport of the load generator (Boost.Beast): a fixed set of keep-alive
// connections, one request in flight on each; requests wait in a queue while every connection
// is busy, so open-loop latency includes that wait.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "load.h"

namespace integration::bench {

struct HttpOptions {
  std::string host;  // numeric address or name of the server
  int port = 80;
  std::string method = "GET";  // GET, POST, PATCH, PUT or DELETE
  std::string content_type = "application/json";
  int connections = 16;
  int threads = 2;  // I/O threads; connections are spread over them
  std::chrono::milliseconds call_timeout{5000};
};

// Splits "http://host:port" (no path) into host and port; INVALID_ARGUMENT otherwise.
absl::Status ParseHttpUrl(std::string_view url, std::string* host, int* port);

class HttpTransport final : public Transport {
 public:
  // Resolves the server and starts the I/O threads; connections open on first use.
  static absl::StatusOr<std::unique_ptr<HttpTransport>> Create(const HttpOptions& options);
  // Stops the I/O threads; calls still in flight are abandoned without their callbacks.
  ~HttpTransport() override;

  // A 2xx answer is OK; others count as "HTTP <status>"; a connection that fails or exceeds the
  // call timeout counts as IO_ERROR or DEADLINE_EXCEEDED and is reopened for the next request.
  void Send(std::shared_ptr<const Request> request, std::function<void(Outcome)> done) override;

  struct Impl;  // defined in the .cc; the constructor is for Create() only
  explicit HttpTransport(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace integration::bench
