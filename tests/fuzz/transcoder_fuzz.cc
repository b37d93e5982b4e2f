// libFuzzer target: the gateway's HTTP/JSON front as a client reaches it: routing of a method
// and path (RouteTable::Match) and transcoding of path variables, query string and JSON body
// into the request message (TranscodeRequest), over the real routes of the training and grants
// services. Input: "METHOD TARGET", a newline, the body; TARGET may carry "?query". A
// transcoded request parses as the method's request message; a refused one is INVALID_ARGUMENT
// with a reason and an HTTP 400 error body. The body's bytes are also read as a serialized
// response (TranscodeResponse), which must answer 200 or 500, never crash.
// Seeds: corpus/transcoder.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "http_routes.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.pb.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"
#include "transcoder.h"

using integration::fuzz::Require;
namespace gateway = integration::gateway;

namespace {

const gateway::RouteTable& Routes() {
  static const gateway::RouteTable* table = [] {
    std::vector<const google::protobuf::MethodDescriptor*> methods;
    for (const google::protobuf::ServiceDescriptor* service :
         {lansstyrelsen::integration::training::v1::ListPartsRequest::descriptor()
              ->file()
              ->FindServiceByName("TrainingService"),
          lansstyrelsen::integration::grants::v1::GetCallRequest::descriptor()
              ->file()
              ->FindServiceByName("GrantsService")}) {
      Require(service != nullptr, "fixture: service descriptor");
      for (int i = 0; i < service->method_count(); ++i) methods.push_back(service->method(i));
    }
    auto built = gateway::RouteTable::Build(methods);
    Require(built.ok(), "fixture: route table");
    return new gateway::RouteTable(*std::move(built));
  }();
  return *table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = integration::fuzz::AsText(data, size);
  const size_t newline = input.find('\n');
  const std::string_view request_line = input.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  const size_t space = request_line.find(' ');
  if (space == std::string_view::npos) return 0;
  const std::string_view method = request_line.substr(0, space);
  const std::string_view target = request_line.substr(space + 1);
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  const gateway::RouteMatch match = Routes().Match(method, path);
  if (match.route == nullptr) return 0;
  Require(match.raw_values.size() == match.route->variables.size(),
          "a matched route without a value per variable");
  const auto request = gateway::TranscodeRequest(*match.route, match.raw_values, query, body);
  if (request.ok()) {
    google::protobuf::DynamicMessageFactory factory;
    std::unique_ptr<google::protobuf::Message> message(
        factory.GetPrototype(match.route->method->input_type())->New());
    Require(message->ParseFromString(*request), "transcoded request does not parse");
  } else {
    integration::fuzz::RequireClientError(request.status(), "transcoder error");
    const gateway::HttpResponse error = gateway::ErrorResponse(request.status());
    Require(error.status == 400, "transcoder error is not a 400");
  }
  const gateway::HttpResponse response = gateway::TranscodeResponse(*match.route, body);
  Require(response.status == 200 || response.status == 500, "response neither 200 nor 500");
  return 0;
}
