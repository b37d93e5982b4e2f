// A blocking HTTP/1.1 client on one kept-alive connection (Boost.Beast), shared by the gateway's
// HTTP front, admin port and end-to-end tests.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace integration::gateway::testing {

using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

class HttpClient {
 public:
  explicit HttpClient(int port, const std::string& host = "127.0.0.1") : socket_(ioc_) {
    boost::beast::error_code ec;
    socket_.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(host),
                                                   static_cast<unsigned short>(port)),
                    ec);
    EXPECT_FALSE(ec) << "connect to " << host << ":" << port << ": " << ec.message();
  }

  // Sends one request and reads its answer. A body without a content-type header is sent as
  // application/json.
  HttpResponse Send(boost::beast::http::verb verb, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    boost::beast::http::request<boost::beast::http::string_body> request(verb, target, 11);
    request.set(boost::beast::http::field::host, "localhost");
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty()) {
      request.body() = body;
      if (request[boost::beast::http::field::content_type].empty()) {
        request.set(boost::beast::http::field::content_type, "application/json");
      }
    }
    request.prepare_payload();
    boost::beast::error_code ec;
    boost::beast::http::write(socket_, request, ec);
    EXPECT_FALSE(ec) << ec.message();
    return Read();
  }

  HttpResponse Get(const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Send(boost::beast::http::verb::get, target, "", headers);
  }

  HttpResponse Read() {
    HttpResponse response;
    boost::beast::error_code ec;
    boost::beast::http::read(socket_, buffer_, response, ec);
    EXPECT_FALSE(ec) << ec.message();
    return response;
  }

  void WriteRaw(const std::string& bytes) {
    boost::beast::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes), ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  // Whether the server closed the connection (reads EOF).
  bool Closed() {
    char byte;
    boost::beast::error_code ec;
    socket_.read_some(boost::asio::buffer(&byte, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace integration::gateway::testing
