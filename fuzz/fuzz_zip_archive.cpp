// Checkpoints and training states: zip_archive_fault (util/zip_archive.h), the check every libtorch archive
// passes before libtorch reads it. It must return (a fault or none) on any bytes, reading each byte at most
// once per entry and never outside the input. libtorch's own reader is fuzzed by the checkpoint mutation test
// (fuzz/README.md).
#include "axtrain/util/zip_archive.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)axtrain::zip_archive_fault(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
