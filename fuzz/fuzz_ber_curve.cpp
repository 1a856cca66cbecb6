// BER(V) curve files (hw/ber_curve.h). A curve that loads answers ber_at() inside its range.
#include "axtrain/hw/ber_curve.h"
#include "fuzz_input.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axtrain::fuzz::input_file(data, size, ".csv");
  axtrain::fuzz::expect_success_or_user_error([&] {
    const axtrain::BerCurve curve = axtrain::BerCurve::load(path);
    const double ber = curve.ber_at(curve.min_voltage());
    if (!(ber > 0 && ber < 1)) std::abort();
  });
  return 0;
}
