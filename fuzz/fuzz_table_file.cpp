// Multiplier table files (hw/table_file.h). The first byte picks the format (.bin or text) and the signed
// layout (none, twos, offset); the rest is the file.
#include "axtrain/hw/table_file.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string path = axtrain::fuzz::input_file(data + 1, size - 1, (data[0] & 1) ? ".bin" : ".txt");
  axtrain::TableOptions options;
  if ((data[0] >> 1) % 3 == 1) options.layout = axtrain::SignedLayout::kTwos;
  if ((data[0] >> 1) % 3 == 2) options.layout = axtrain::SignedLayout::kOffset;
  axtrain::fuzz::expect_success_or_user_error([&] { (void)axtrain::load_table(path, options); });
  return 0;
}
