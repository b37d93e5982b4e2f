// libFuzzer target: ParseDiarienummer and FormatDiarienummer. An accepted case number has a
// registry 0-999, a positive sequence and a year 1000-9999, and prints (ToString and Format
// alike) to a text that parses back to the same number; a refused one is INVALID_ARGUMENT with a
// reason. Seeds: corpus/diarienummer.
#include "fuzz_support.h"
#include "integration/se/diarienummer.h"

using integration::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto d = integration::se::ParseDiarienummer(integration::fuzz::AsText(data, size));
  if (!d.ok()) {
    integration::fuzz::RequireClientError(d.status(), "diarienummer error");
    return 0;
  }
  Require(d->registry >= 0 && d->registry <= 999, "registry outside 0-999");
  Require(d->sequence >= 1, "sequence below 1");
  Require(d->year >= 1000 && d->year <= 9999, "year outside 1000-9999");
  const std::string printed = d->ToString();
  const auto formatted = integration::se::FormatDiarienummer(d->registry, d->sequence, d->year);
  Require(formatted.ok() && *formatted == printed, "Format and ToString disagree");
  const auto again = integration::se::ParseDiarienummer(printed);
  Require(again.ok() && again->registry == d->registry && again->sequence == d->sequence &&
              again->year == d->year,
          "printed form does not parse back to the same number");
  return 0;
}
