// libFuzzer target: ParsePersonnummer on arbitrary text (personnummer_properties.h says what
// must hold). Seeds: tests/fuzz/corpus/personnummer.
#include "personnummer_properties.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  integration::fuzz::CheckPersonnummer(integration::fuzz::AsText(data, size));
  return 0;
}
