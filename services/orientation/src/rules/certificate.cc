// The canonical text of a certificate of completion (see certificate.h).
#include "rules/certificate.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "integration/dates/day.h"
#include "integration/status/status.h"

namespace integration::orientation {

absl::StatusOr<std::string> CertificateText(const v1::CertificateContent& content) {
  status::FieldErrors errors;
  const auto text = [&](std::string_view field, const std::string& value) {
    if (value.empty() || value.find_first_of("\r\n") != std::string::npos) {
      errors.Add(absl::StrCat("content.", std::string(field)), "one non-empty line");
    }
    return value;
  };
  const auto day = [&](std::string_view field, const dates::type::Date& date) -> std::string {
    std::optional<absl::CivilDay> d = dates::DayOf(date);
    if (!d) {
      errors.Add(absl::StrCat("content.", std::string(field)), "a real calendar date");
      return "";
    }
    return dates::DayText(*d);
  };
  std::string out = absl::StrCat(std::string(kCertificateTextHeader), "\n");
  absl::StrAppend(&out, "enrolment: ", text("enrolment", content.enrolment()), "\n");
  absl::StrAppend(&out, "holder_name: ", text("holder_name", content.holder_name()), "\n");
  absl::StrAppend(&out, "kommunkod: ", text("kommunkod", content.kommunkod()), "\n");
  absl::StrAppend(&out, "language: ", text("language", content.language()), "\n");
  absl::StrAppend(&out, "themes: ",
                  absl::StrJoin(content.themes(), ",",
                                [](std::string* o, int theme) {
                                  o->append(v1::Theme_Name(static_cast<v1::Theme>(theme)));
                                }),
                  "\n");
  absl::StrAppend(&out, "attended_minutes: ", content.attended_minutes(), "\n");
  absl::StrAppend(&out, "completion_date: ", day("completion_date", content.completion_date()),
                  "\n");
  absl::StrAppend(&out, "issue_date: ", day("issue_date", content.issue_date()), "\n");
  absl::StrAppend(&out, "issuer: ", text("issuer", content.issuer()), "\n");
  absl::StrAppend(&out, "key_id: ", text("key_id", content.key_id()), "\n");
  if (!errors.empty()) return errors.ToStatus();
  return out;
}

}  // namespace integration::orientation
