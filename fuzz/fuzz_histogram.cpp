// Operand histogram files (hw/error_metrics.h): a histogram that loads has 256 finite non-negative entries.
#include "axtrain/hw/error_metrics.h"
#include "fuzz_input.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axtrain::fuzz::input_file(data, size, ".txt");
  axtrain::fuzz::expect_success_or_user_error([&] {
    const std::vector<double> h = axtrain::load_operand_histogram(path);
    if (h.size() != 256) std::abort();
    for (double v : h)
      if (!(std::isfinite(v) && v >= 0)) std::abort();
  });
  return 0;
}
