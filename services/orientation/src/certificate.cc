// Signing and rendering certificates of completion (see certificate.h).
#include "certificate.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/dates/day.h"
#include "integration/document/certificate_pdf.h"
#include "rules/certificate.h"

namespace integration::orientation {

const document::DocumentKind& CertificateDocument() {
  static const document::DocumentKind kind{"certificate", "CERTIFICATE_KEY_INVALID",
                                           "CERTIFICATE_SIGNATURE_INVALID"};
  return kind;
}

std::string ThemeTitle(v1::Theme theme) {
  switch (theme) {
    case v1::THEME_COMING_TO_SWEDEN:
      return "Att komma till Sverige";
    case v1::THEME_LIVING_IN_SWEDEN:
      return "Att bo i Sverige";
    case v1::THEME_SUPPORTING_YOURSELF:
      return "Att försörja sig och utvecklas i Sverige";
    case v1::THEME_RIGHTS_AND_OBLIGATIONS:
      return "Individens rättigheter och skyldigheter";
    case v1::THEME_FAMILY_AND_CHILDREN:
      return "Att bilda familj och leva med barn i Sverige";
    case v1::THEME_INFLUENCING:
      return "Att påverka i Sverige";
    case v1::THEME_HEALTH:
      return "Att vårda sin hälsa i Sverige";
    case v1::THEME_AGEING:
      return "Att åldras i Sverige";
    default:
      return v1::Theme_Name(theme);
  }
}

absl::StatusOr<v1::CompletionCertificate> IssueCertificate(v1::CertificateContent content,
                                                           const document::Signer& signer) {
  content.set_key_id(signer.key_id());
  absl::StatusOr<std::string> text = CertificateText(content);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::string> signature = signer.Sign(*text);
  if (!signature.ok()) return signature.status();

  document::CertificatePage page;
  page.issuer = content.issuer();
  page.title = "Intyg";
  page.subtitle = "Samhällsorientering för nyanlända (förordning 2010:1138)";
  page.lead = "Detta intygar att";
  page.holder = content.holder_name();
  page.statement = absl::StrCat(
      "har genomgått samhällsorientering, ", content.attended_minutes() / 60, " timmar",
      content.attended_minutes() % 60 == 0
          ? ""
          : absl::StrCat(" och ", content.attended_minutes() % 60, " minuter"),
      ", med alla åtta teman:");
  for (int theme : content.themes())
    page.items.push_back(ThemeTitle(static_cast<v1::Theme>(theme)));
  page.issued = absl::StrCat("Slutförd den ", dates::SwedishDate(content.completion_date()),
                             ", utfärdat den ", dates::SwedishDate(content.issue_date()), " av ",
                             content.issuer());
  page.verify = "Intyget är signerat: kontrollera signaturen med kommunens publika nyckel.";
  page.signed_with = absl::StrCat("Digitalt signerat (Ed25519), nyckel-id ", content.key_id(),
                                  " · ", content.enrolment());
  page.pdf_title = absl::StrCat("Intyg samhällsorientering ", content.enrolment());
  page.creator = "orientation-server";
  absl::StatusOr<std::string> pdf = document::RenderCertificatePdf(page);
  if (!pdf.ok()) return pdf.status();

  v1::CompletionCertificate out;
  *out.mutable_content() = std::move(content);
  out.set_signed_text(*std::move(text));
  out.set_signature(*std::move(signature));
  out.set_pdf(*std::move(pdf));
  return out;
}

}  // namespace integration::orientation
