// Diploma rules without I/O or cryptography: verification codes as people type them, who is
// due which diploma, and the canonical text a diploma signature covers (src/diploma.h signs it).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

// ErrorInfo reasons of this file.
inline constexpr std::string_view kReasonDiplomaCodeInvalid = "DIPLOMA_CODE_INVALID";
inline constexpr std::string_view kReasonDiplomaContentInvalid = "DIPLOMA_CONTENT_INVALID";

// ---------------------------------------------------------------------------------------------
// Verification codes

// 130 random bits written as 26 characters of Crockford base32 (0-9, A-Z without I, L, O, U).
inline constexpr int kDiplomaCodeLength = 26;

// The code alphabet: Crockford base32, the digits and the letters without I, L, O and U.
inline constexpr std::string_view kDiplomaCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// The stored form of a code as a person may type it: case-insensitive, '-' and spaces
// ignored, O read as 0 and I and L as 1 (Crockford's rules for misread characters).
// INVALID_ARGUMENT, reason DIPLOMA_CODE_INVALID, violation on `field`, unless that leaves
// exactly 26 base32 characters.
absl::StatusOr<std::string> NormalizeCode(std::string_view text, std::string_view field = "code");

// "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23": groups of four for reading aloud and typing.
std::string FormatCodeForDisplay(std::string_view code);

// ---------------------------------------------------------------------------------------------
// Eligibility

// One part of the course as eligibility sees it.
struct CoursePart {
  std::string name;   // "parts/introduktion"
  std::string title;  // "Introduktion"
  // Names of the part's published modules ("parts/introduktion/modules/mottagande").
  std::vector<std::string> published_modules;
};

// A diploma the learner should have.
struct DueDiploma {
  v1::DiplomaKind kind = v1::DIPLOMA_KIND_UNSPECIFIED;
  std::vector<std::string> parts;        // part names, in course order
  std::vector<std::string> part_titles;  // their titles, in the same order
  bool operator==(const DueDiploma&) const = default;
};

// Every published module of the part is passed. A part without published modules is never
// completed: a certificate for it would certify nothing.
bool PartCompleted(const CoursePart& part, const std::set<std::string>& passed_modules);

// The diplomas a learner is due, given the whole course (every part, in course order), the
// learner's enrolled part names and the names of the modules the learner has passed:
//  - a part certificate (DIPLOMA_KIND_PART) for each enrolled, completed part;
//  - the course diploma (DIPLOMA_KIND_COURSE, listing every part) when the enrolment covers
//    every part of the course and every part is completed.
// Course diploma first, then part certificates in course order. The caller issues those it
// has not issued yet (same kind and parts), which makes issuing idempotent.
std::vector<DueDiploma> DueDiplomas(const std::vector<CoursePart>& course,
                                    const std::vector<std::string>& enrolled_parts,
                                    const std::set<std::string>& passed_modules);

// ---------------------------------------------------------------------------------------------
// Canonical serialisation (what the signature covers; documented in services/training/README.md
// "Diploma signatures")
//
//   Bättre bemötande diploma v1\n
//   code: <26-character code>\n
//   kind: course|part\n
//   learner_name: <name>\n
//   parts: <title>; <title>; …\n          (course order)
//   issue_date: YYYY-MM-DD\n
//   issuer: <issuer>\n
//   key_id: <key id>\n
//
// UTF-8, exactly these lines in this order, each "key: value" ending in one "\n" (also the
// last). In values, '\' is written "\\", newline "\n", carriage return "\r", tab "\t", other
// control characters (U+0000-U+001F, U+007F) "\xHH" (two lower-case hex digits), and in a
// part title ';' is written "\;" so that the joined list can be split unambiguously. Thus
// different contents never give the same text.
inline constexpr std::string_view kCanonicalHeader = "Bättre bemötande diploma v1";

// INVALID_ARGUMENT, reason DIPLOMA_CONTENT_INVALID, with a violation per bad field
// ("content.learner_name", …) when the code is not a normalised code, the kind is unset, the
// learner name, a part title, the issuer or the key id is empty, no part is given, the date is
// not a real date or a value is not valid UTF-8.
absl::StatusOr<std::string> CanonicalText(const v1::DiplomaContent& content);

}  // namespace integration::training
