// Rendering a diploma or part certificate as a one-page A4 PDF (cairo).
#pragma once

#include <string>

#include "absl/status/statusor.h"
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
std::string SwedishDate(const lansstyrelsen::integration::type::v1::Date& date);

// One A4 page: "Diplom" (course) or "Intyg" (part certificate), the course name, the learner's
// name, the certified parts, the issue date, the issuer, the verification code in groups of
// four and how to verify it. Text is set in "DejaVu Sans" through fontconfig (Debian package
// fonts-dejavu-core) so å, ä and ö come out right; every line that could be too wide for the
// page (long names, many parts) is set smaller until it fits. The content must be valid for
// CanonicalText (INVALID_ARGUMENT DIPLOMA_CONTENT_INVALID otherwise); INTERNAL when cairo
// fails.
absl::StatusOr<std::string> RenderDiplomaPdf(const v1::DiplomaContent& content,
                                             const DiplomaPdfOptions& options = {});

// Frees the font caches cairo and fontconfig keep for the life of the process. Call it once at
// the very end (after the server has stopped and no thread renders any more): it only matters
// to leak checkers (ASan/LSan), which otherwise report fontconfig's process-wide state.
void ReleasePdfFontCaches();

}  // namespace integration::training
