// Rendering a diploma or part certificate as a one-page A4 PDF (the suite's certificate layout).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "integration/dates/day.h"
#include "integration/document/certificate_pdf.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"
#include "lansstyrelsen/integration/type/v1/types.pb.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

struct DiplomaPdfOptions {
  // The course name printed under the title.
  std::string course_title = "Bättre bemötande – en basutbildning för dig som möter asylsökande";
  // Where the code can be checked, e.g. "https://integration.lansstyrelsen.se/verify"; when
  // empty the PDF tells the reader to check the code with the issuer.
  std::string verify_url;
};

// "14 mars 2026": the issue date as Swedish readers write it.
using dates::SwedishDate;

// One A4 page of the suite's certificate layout (integration/document/certificate_pdf.h):
// "Diplom" (course) or "Intyg" (part certificate), the course name, the learner's name, the
// certified parts, the issue date, the issuer, the verification code in groups of four and how
// to verify it. The content must be valid for CanonicalText (INVALID_ARGUMENT
// DIPLOMA_CONTENT_INVALID otherwise); INTERNAL when cairo fails.
absl::StatusOr<std::string> RenderDiplomaPdf(const v1::DiplomaContent& content,
                                             const DiplomaPdfOptions& options = {});

// See integration/document/certificate_pdf.h.
using document::ReleasePdfFontCaches;

}  // namespace integration::training
