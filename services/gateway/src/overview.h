// GetRegionalOverview, served by the gateway itself: the key figures of every service gathered
// in parallel, each with its own time budget, returned with a status per section.
#pragma once

#include <google/protobuf/descriptor.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "dispatcher.h"

namespace integration::gateway {

// One section: a method whose policy says regional_overview.
struct OverviewSection {
  std::string service;  // stem, e.g. "training"
  const google::protobuf::MethodDescriptor* method = nullptr;
};

// Every regional_overview method of every suite service compiled in (configured as a backend
// or not: a missing backend shows as an UNAVAILABLE section), ordered by service then method.
std::vector<OverviewSection> OverviewSections(const PolicyLookup& policy_of);

// Section budget: request.section_timeout_ms, 0 meaning kDefault, capped at kMax.
inline constexpr absl::Duration kDefaultSectionTimeout = absl::Milliseconds(2000);
inline constexpr absl::Duration kMaxSectionTimeout = absl::Milliseconds(10000);

class Overview {
 public:
  // Sends one call to its backend with call.deadline as the deadline (already final) and no
  // further checks; `done` runs once. The dispatcher's backend path.
  using Forward = std::function<void(BackendCall call, Done done)>;

  Overview(std::vector<OverviewSection> sections, Forward forward);

  // Serves one GetRegionalOverview `call` (authorised, with its effective deadline): calls
  // every section's method with an empty request on behalf of the caller (same token, request
  // id and trace), each bounded by the section budget and the call's deadline, and answers
  // with the serialized RegionalOverview once all sections have an outcome. INVALID_ARGUMENT
  // for an unparsable request or a negative section_timeout_ms.
  void Run(const BackendCall& call, Done done) const;

  const std::vector<OverviewSection>& sections() const { return sections_; }

 private:
  const std::vector<OverviewSection> sections_;
  const Forward forward_;
};

}  // namespace integration::gateway
