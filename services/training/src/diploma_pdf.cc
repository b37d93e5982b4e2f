// Diplomas and part certificates on the suite's certificate page (integration_document).
#include "diploma_pdf.h"

#include <utility>

#include "diploma.h"

namespace integration::training {

absl::StatusOr<std::string> RenderDiplomaPdf(const v1::DiplomaContent& content,
                                             const DiplomaPdfOptions& options) {
  // Only what could be signed is printed.
  absl::StatusOr<std::string> canonical = CanonicalText(content);
  if (!canonical.ok()) return canonical.status();

  const bool course = content.kind() == v1::DIPLOMA_KIND_COURSE;
  document::CertificatePage page;
  page.issuer = content.issuer();
  page.title = course ? "Diplom" : "Intyg";
  page.subtitle = options.course_title;
  page.lead = "Detta intygar att";
  page.holder = content.learner_name();
  page.statement = course ? "har genomfört hela utbildningen med delarna" : "har genomfört delen";
  page.items.assign(content.part_titles().begin(), content.part_titles().end());
  page.issued = "Utfärdat den " + SwedishDate(content.issue_date()) + " av " + content.issuer();
  page.code_label = "Verifieringskod";
  page.code = FormatCodeForDisplay(content.code());
  page.verify = options.verify_url.empty()
                    ? "Kontrollera äktheten med koden ovan hos " + content.issuer() + "."
                    : "Kontrollera äktheten med koden ovan på " + options.verify_url;
  page.signed_with = "Digitalt signerat (Ed25519), nyckel-id " + content.key_id();
  page.pdf_title = page.title + " " + page.code;
  page.creator = "training-server";
  return document::RenderCertificatePdf(page);
}

}  // namespace integration::training
