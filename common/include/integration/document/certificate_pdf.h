// A one-page A4 certificate (a training diploma, an orientation certificate of completion) as
// a PDF drawn with cairo: the suite's one layout of a signed document, filled in by the service.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace integration::document {

// The texts of the page, top to bottom; the service writes them (in Swedish), this draws them.
struct CertificatePage {
  std::string issuer;     // the top line, e.g. "Länsstyrelsen i Uppsala län"
  std::string title;      // large, e.g. "Diplom", "Intyg"
  std::string subtitle;   // under the title, e.g. the course's name
  std::string lead;       // e.g. "Detta intygar att"
  std::string holder;     // the holder's name, large
  std::string statement;  // e.g. "har genomfört hela utbildningen med delarna"
  std::vector<std::string> items;  // the parts or themes, sharing 150 points of height
  std::string issued;      // e.g. "Utfärdat den 14 mars 2026 av …"
  std::string code_label;  // e.g. "Verifieringskod"; with `code` empty neither is printed
  std::string code;        // as displayed
  std::string verify;      // how to check it
  std::string signed_with;  // the footer, e.g. "Digitalt signerat (Ed25519), nyckel-id …"
  // PDF metadata.
  std::string pdf_title;
  std::string creator;  // the binary, e.g. "training-server"
};

// One A4 page. Text is set in "DejaVu Sans" through fontconfig (Debian package
// fonts-dejavu-core) so å, ä and ö come out right; every line that would be too wide for the
// page (long names, many items) is set smaller until it fits. INTERNAL when cairo fails.
absl::StatusOr<std::string> RenderCertificatePdf(const CertificatePage& page);

// Frees the font caches cairo and fontconfig keep for the life of the process. Call it once at
// the very end (after the server has stopped and no thread renders any more): it only matters
// to leak checkers (ASan/LSan), which otherwise report fontconfig's process-wide state.
void ReleasePdfFontCaches();

}  // namespace integration::document
