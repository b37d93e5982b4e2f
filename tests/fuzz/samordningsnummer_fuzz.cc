// libFuzzer target: samordningsnummer (coordination numbers, day + 60). The fuzzer's bytes are
// read as a number whose day digits the target lifts into 61-91 before parsing, so that almost
// every input exercises the coordination-number branch rather than the ordinary one; the raw
// input is parsed too. Seeds: tests/fuzz/corpus/samordningsnummer.
#include <string>

#include "personnummer_properties.h"

namespace {

// The position of the two day digits in the spellings the parser takes: YYMMDD… (10-digit
// forms) or YYYYMMDD… (12-digit forms, recognised by 12 leading digits or a separator at 8).
size_t DayPosition(const std::string& text) {
  const size_t digits = text.find_first_not_of("0123456789");
  const size_t run = digits == std::string::npos ? text.size() : digits;
  return run >= 12 || run == 8 ? 6 : 4;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw = integration::fuzz::AsText(data, size);
  integration::fuzz::CheckPersonnummer(raw);

  std::string lifted(raw);
  const size_t at = DayPosition(lifted);
  if (lifted.size() >= at + 2 && lifted[at] >= '0' && lifted[at] <= '3') {
    lifted[at] = static_cast<char>(lifted[at] + 6);  // day 0d-3d becomes 6d-9d: day + 60
    integration::fuzz::CheckPersonnummer(lifted);
  }
  return 0;
}
