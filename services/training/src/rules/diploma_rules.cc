// Diploma codes as typed, eligibility and the canonical text (no I/O, no cryptography).
#include "rules/diploma_rules.h"

#include <array>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/time/civil_time.h"
#include "integration/status/status.h"
#include "integration/text/utf8.h"

namespace integration::training {
namespace {

using integration::status::FieldErrors;

// ---- canonical text helpers -----------------------------------------------------------------

void AppendEscaped(std::string& out, std::string_view value, bool escape_semicolon) {
  constexpr std::string_view kHex = "0123456789abcdef";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case ';':
        out.append(escape_semicolon ? "\\;" : ";");
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          out.append("\\x");
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0x0f]);
        } else {
          out.push_back(c);
        }
    }
  }
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos;
}

void CheckValue(FieldErrors& errors, std::string_view field, std::string_view value) {
  if (IsBlank(value)) {
    errors.Add(field, "must not be empty");
  } else if (!integration::text::IsValidUtf8(value)) {
    errors.Add(field, "must be valid UTF-8");
  }
}

bool IsRealDate(const lansstyrelsen::integration::type::v1::Date& date) {
  if (date.year() < 1 || date.year() > 9999) return false;
  const absl::CivilDay day(date.year(), date.month(), date.day());
  return day.year() == date.year() && day.month() == date.month() && day.day() == date.day();
}

std::string IsoDate(const lansstyrelsen::integration::type::v1::Date& date) {
  std::array<char, 16> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02d", date.year(), date.month(),
                date.day());
  return buffer.data();
}

}  // namespace

absl::StatusOr<std::string> NormalizeCode(std::string_view text, std::string_view field) {
  std::string code;
  bool ok = text.size() <= 4 * static_cast<size_t>(kDiplomaCodeLength);
  for (size_t i = 0; ok && i < text.size(); ++i) {
    char c = text[i];
    if (c == '-' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (kDiplomaCodeAlphabet.find(c) == std::string_view::npos) {
      ok = false;
    } else {
      code.push_back(c);
    }
  }
  if (!ok || code.size() != static_cast<size_t>(kDiplomaCodeLength)) {
    return integration::status::InvalidField(
        field,
        "must be the diploma's code: 26 characters 0-9 and A-Z except U (case, '-' and spaces "
        "do not matter)",
        kReasonDiplomaCodeInvalid);
  }
  return code;
}

std::string FormatCodeForDisplay(std::string_view code) {
  std::string out;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(code[i]);
  }
  return out;
}

// ---- eligibility ----------------------------------------------------------------------------

bool PartCompleted(const CoursePart& part, const std::set<std::string>& passed_modules) {
  if (part.published_modules.empty()) return false;
  for (const std::string& module : part.published_modules) {
    if (!passed_modules.contains(module)) return false;
  }
  return true;
}

std::vector<DueDiploma> DueDiplomas(const std::vector<CoursePart>& course,
                                    const std::vector<std::string>& enrolled_parts,
                                    const std::set<std::string>& passed_modules) {
  const std::set<std::string> enrolled(enrolled_parts.begin(), enrolled_parts.end());
  std::vector<DueDiploma> certificates;
  bool whole_course = !course.empty();
  DueDiploma course_diploma{v1::DIPLOMA_KIND_COURSE, {}, {}};
  for (const CoursePart& part : course) {
    const bool completed = PartCompleted(part, passed_modules);
    const bool is_enrolled = enrolled.contains(part.name);
    if (!completed || !is_enrolled) whole_course = false;
    course_diploma.parts.push_back(part.name);
    course_diploma.part_titles.push_back(part.title);
    if (completed && is_enrolled) {
      certificates.push_back(DueDiploma{v1::DIPLOMA_KIND_PART, {part.name}, {part.title}});
    }
  }
  std::vector<DueDiploma> due;
  if (whole_course) due.push_back(std::move(course_diploma));
  for (DueDiploma& certificate : certificates) due.push_back(std::move(certificate));
  return due;
}

// ---- canonical text -------------------------------------------------------------------------

absl::StatusOr<std::string> CanonicalText(const v1::DiplomaContent& content) {
  FieldErrors errors;
  absl::StatusOr<std::string> code = NormalizeCode(content.code(), "content.code");
  if (!code.ok() || *code != content.code()) {
    errors.Add("content.code", "must be a normalised 26-character diploma code");
  }
  std::string_view kind;
  switch (content.kind()) {
    case v1::DIPLOMA_KIND_COURSE:
      kind = "course";
      break;
    case v1::DIPLOMA_KIND_PART:
      kind = "part";
      break;
    default:
      errors.Add("content.kind", "must be DIPLOMA_KIND_COURSE or DIPLOMA_KIND_PART");
  }
  CheckValue(errors, "content.learner_name", content.learner_name());
  if (content.part_titles().empty()) {
    errors.Add("content.part_titles", "must list at least one part");
  }
  for (int i = 0; i < content.part_titles_size(); ++i) {
    CheckValue(errors, "content.part_titles[" + std::to_string(i) + "]", content.part_titles(i));
  }
  if (!IsRealDate(content.issue_date())) {
    errors.Add("content.issue_date", "must be a real calendar date");
  }
  CheckValue(errors, "content.issuer", content.issuer());
  CheckValue(errors, "content.key_id", content.key_id());
  if (!errors.empty()) return errors.ToStatus(kReasonDiplomaContentInvalid);

  std::string text(kCanonicalHeader);
  text.append("\ncode: ").append(content.code());
  text.append("\nkind: ").append(kind);
  text.append("\nlearner_name: ");
  AppendEscaped(text, content.learner_name(), false);
  text.append("\nparts: ");
  for (int i = 0; i < content.part_titles_size(); ++i) {
    if (i > 0) text.append("; ");
    AppendEscaped(text, content.part_titles(i), true);
  }
  text.append("\nissue_date: ").append(IsoDate(content.issue_date()));
  text.append("\nissuer: ");
  AppendEscaped(text, content.issuer(), false);
  text.append("\nkey_id: ");
  AppendEscaped(text, content.key_id(), false);
  text.append("\n");
  return text;
}

}  // namespace integration::training
