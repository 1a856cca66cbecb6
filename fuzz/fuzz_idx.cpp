// IDX files (data/idx.h), raw or gzip: the first byte picks which; the rest is the file.
#include "axtrain/data/idx.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string path = axtrain::fuzz::input_file(data + 1, size - 1, (data[0] & 1) ? ".idx.gz" : ".idx");
  axtrain::fuzz::expect_success_or_user_error([&] { (void)axtrain::read_idx(path); });
  return 0;
}
