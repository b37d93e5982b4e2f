// Certificates of completion: signing the canonical text with the service's document key and
// drawing the suite's certificate page (integration_document) in Swedish.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "integration/document/signing.h"
#include "lansstyrelsen/integration/orientation/v1/resources.pb.h"

namespace integration::orientation {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;

// The kind of document certificates are: noun "certificate", reasons CERTIFICATE_KEY_INVALID
// and CERTIFICATE_SIGNATURE_INVALID.
const document::DocumentKind& CertificateDocument();

// Sets content.key_id to the signer's, signs CertificateText(content) and renders the PDF.
absl::StatusOr<v1::CompletionCertificate> IssueCertificate(v1::CertificateContent content,
                                                           const document::Signer& signer);

// The Swedish name of a theme as printed, e.g. "Att åldras i Sverige".
std::string ThemeTitle(v1::Theme theme);

}  // namespace integration::orientation
