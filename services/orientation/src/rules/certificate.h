// The certificate of completion's canonical text: what is signed, one "key: value" line per
// field of CertificateContent. Values are single lines (the suite's request text check refuses
// line breaks in the holder's name), so no escaping is needed. Pure.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "lansstyrelsen/integration/orientation/v1/resources.pb.h"

namespace integration::orientation {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;

// FAILED_PRECONDITION reason of a certificate asked for before completion.
inline constexpr std::string_view kReasonNotCompleted = "NOT_COMPLETED";

// The first line, naming the format (a later format gets another).
inline constexpr std::string_view kCertificateTextHeader =
    "lansstyrelsen.integration.orientation.v1.CertificateContent";

// The header, then enrolment, holder_name, kommunkod, language, themes (enum names, comma
// separated), attended_minutes, completion_date and issue_date ("YYYY-MM-DD"), issuer, key_id;
// each line ends with "\n". INVALID_ARGUMENT when a text value is empty or holds a line break,
// or a date is not a real day.
absl::StatusOr<std::string> CertificateText(const v1::CertificateContent& content);

}  // namespace integration::orientation
