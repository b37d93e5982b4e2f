// The regional overview: fan-out to the sections' methods, fan-in into one RegionalOverview.
#include "overview.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "backends.h"
#include "integration/auth/auth.h"
#include "integration/grpc/client.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/gateway/v1/gateway_service.pb.h"

namespace integration::gateway {
namespace {

namespace gw = ::lansstyrelsen::integration::gateway::v1;

gw::SectionStatus SectionStatusOf(::grpc::StatusCode code) {
  switch (code) {
    case ::grpc::StatusCode::OK:
      return gw::SECTION_STATUS_OK;
    case ::grpc::StatusCode::DEADLINE_EXCEEDED:
      return gw::SECTION_STATUS_DEADLINE_EXCEEDED;
    case ::grpc::StatusCode::UNAVAILABLE:
      return gw::SECTION_STATUS_UNAVAILABLE;
    default:
      return gw::SECTION_STATUS_ERROR;
  }
}

// The fan-in of one overview: filled by the sections' completions, answered by the last one.
struct Gathering {
  explicit Gathering(size_t n, Done d) : remaining(n), done(std::move(d)) { sections.resize(n); }

  absl::Mutex mu;
  std::vector<gw::Section> sections ABSL_GUARDED_BY(mu);
  size_t remaining ABSL_GUARDED_BY(mu);
  Done done;
  std::string request_id;
};

void Answer(std::vector<gw::Section> sections, Done& done, std::string request_id) {
  gw::RegionalOverview overview;
  for (gw::Section& s : sections) *overview.add_sections() = std::move(s);
  *overview.mutable_compute_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
  BackendResult result;
  result.request_id = std::move(request_id);
  if (!overview.SerializeToString(&result.response)) {
    result.status = ::grpc::Status(::grpc::StatusCode::INTERNAL, "internal error");
    result.response.clear();
  }
  done(std::move(result));
}

}  // namespace

std::vector<OverviewSection> OverviewSections(const PolicyLookup& policy_of) {
  std::vector<OverviewSection> out;
  for (const google::protobuf::ServiceDescriptor* service : SuiteServices()) {
    const std::string stem = ServiceStem(*service);
    if (stem == kGatewayStem) continue;  // the overview is no section of itself
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = service->method(i);
      const auth::Policy* policy = policy_of ? policy_of(*m) : auth::PolicyOf(*m);
      // Sections are called with an empty request: unary methods only.
      if (policy == nullptr || !policy->regional_overview() || m->client_streaming() ||
          m->server_streaming()) {
        continue;
      }
      out.push_back({stem, m});
    }
  }
  std::sort(out.begin(), out.end(), [](const OverviewSection& a, const OverviewSection& b) {
    return a.service != b.service ? a.service < b.service
                                  : a.method->full_name() < b.method->full_name();
  });
  return out;
}

Overview::Overview(std::vector<OverviewSection> sections, Forward forward)
    : sections_(std::move(sections)), forward_(std::move(forward)) {}

void Overview::Run(const BackendCall& call, Done done) const {
  gw::GetRegionalOverviewRequest request;
  if (!request.ParseFromString(call.request)) {
    BackendResult bad;
    bad.request_id = call.request_id;
    bad.status =
        status::ToGrpc(status::Error(absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST",
                                     "the request is not a GetRegionalOverviewRequest"),
                       status::DomainOf(kGatewayStem));
    done(std::move(bad));
    return;
  }
  if (request.section_timeout_ms() < 0) {
    BackendResult bad;
    bad.request_id = call.request_id;
    bad.status = status::ToGrpc(
        status::InvalidField("section_timeout_ms", "must be 0 (default 2000) or positive"),
        status::DomainOf(kGatewayStem));
    done(std::move(bad));
    return;
  }
  absl::Duration budget = request.section_timeout_ms() == 0
                              ? kDefaultSectionTimeout
                              : absl::Milliseconds(request.section_timeout_ms());
  budget = std::min(budget, kMaxSectionTimeout);
  // The sections must end early enough for the overview itself to reach the caller.
  const absl::Time deadline = std::min(absl::Now() + budget, call.deadline - grpc::kDeadlineMargin);

  if (sections_.empty()) {
    Answer({}, done, call.request_id);
    return;
  }
  auto gathering = std::make_shared<Gathering>(sections_.size(), std::move(done));
  gathering->request_id = call.request_id;
  for (size_t i = 0; i < sections_.size(); ++i) {
    const OverviewSection& section = sections_[i];
    BackendCall sub;
    sub.method = section.method;
    sub.request = "";  // the empty message: the method's defaults
    sub.authorization = call.authorization;
    sub.request_id = call.request_id;
    sub.traceparent = call.traceparent;
    sub.deadline = deadline;
    sub.client_address = call.client_address;
    const absl::Time start = absl::Now();
    forward_(std::move(sub), [gathering, i, &section, start](BackendResult result) {
      gw::Section s;
      s.set_service(section.service);
      s.set_method(
          absl::StrCat(section.method->service()->full_name(), "/", section.method->name()));
      s.set_status(SectionStatusOf(result.status.error_code()));
      s.set_latency_ms(absl::ToInt64Milliseconds(absl::Now() - start));
      if (result.status.ok()) {
        s.mutable_figures()->set_type_url(
            absl::StrCat("type.googleapis.com/", section.method->output_type()->full_name()));
        s.mutable_figures()->set_value(std::move(result.response));
      } else {
        s.set_error(result.status.error_message());
      }
      std::vector<gw::Section> finished;
      {
        absl::MutexLock lock(&gathering->mu);
        gathering->sections[i] = std::move(s);
        if (--gathering->remaining != 0) return;
        finished.swap(gathering->sections);
      }
      Answer(std::move(finished), gathering->done, gathering->request_id);
    });
  }
}

}  // namespace integration::gateway
