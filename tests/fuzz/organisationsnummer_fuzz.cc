// libFuzzer target: ParseOrganisationsnummer. An accepted number is "NNNNNN-NNNN" with digits
// 3-4 at least 20 and a legal form named by its first digit, and parses back to itself (also
// with the "16" prefix); a refused one is INVALID_ARGUMENT with a reason that does not echo the
// digits (it may be a personnummer in the wrong field). Seeds: corpus/organisationsnummer.
#include <string>

#include "fuzz_support.h"
#include "integration/se/organisationsnummer.h"

using integration::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = integration::fuzz::AsText(data, size);
  const auto org = integration::se::ParseOrganisationsnummer(text);
  if (!org.ok()) {
    integration::fuzz::RequireClientError(org.status(), "organisationsnummer error");
    integration::fuzz::RequireNotEchoed(org.status(), text);
    return 0;
  }
  const std::string& n = org->normalized;
  Require(n.size() == 11 && n[6] == '-' &&
              (n.substr(0, 6) + n.substr(7)).find_first_not_of("0123456789") == std::string::npos,
          "normalized form is not NNNNNN-NNNN");
  Require((n[2] - '0') * 10 + (n[3] - '0') >= 20, "digits 3-4 below 20 accepted");
  Require(!integration::se::LegalFormName(org->legal_form).empty(), "legal form has no name");
  for (const std::string& spelling : {n, "16" + n, n.substr(0, 6) + n.substr(7)}) {
    const auto again = integration::se::ParseOrganisationsnummer(spelling);
    Require(again.ok() && again->normalized == n && again->legal_form == org->legal_form,
            "a spelling of the normalized form does not parse back to it");
  }
  return 0;
}
