#include "axtrain/train/standard_normal.h"

#include <ATen/Parallel.h>
#include <c10/util/MathConstants.h>
#include <c10/util/accumulate.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace axtrain {
namespace {

constexpr int64_t kBlock = 16;

// normal_fill_16 of libtorch 1.13 for mean 0 and standard deviation 1, written as it is there.
void box_muller_16(double* data) {
  const double mean = 0, std_dev = 1;
  for (int j = 0; j < kBlock / 2; ++j) {
    const double u1 = 1 - data[j];  // [0, 1) -> (0, 1] for log
    const double u2 = data[j + kBlock / 2];
    const double radius = std::sqrt(-2 * std::log(u1));
    const double theta = 2.0F * c10::pi<double> * u2;
    data[j] = radius * std::cos(theta) * std_dev + mean;
    data[j + kBlock / 2] = radius * std::sin(theta) * std_dev + mean;
  }
}

}  // namespace

torch::Tensor standard_normal(at::IntArrayRef sizes, at::Generator& generator) {
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const int64_t size = c10::multiply_integers(sizes);
  if (size < kBlock) return torch::randn(sizes, generator, options);  // torch's serial path
  auto out = torch::rand(sizes, generator, options);                  // every uniform, in torch's order
  double* data = out.data_ptr<double>();
  at::parallel_for(0, size / kBlock, 64, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) box_muller_16(data + b * kBlock);
  });
  if (size % kBlock != 0) {  // torch redraws the last 16 values
    const auto tail = torch::rand({kBlock}, generator, options);
    double* last = data + size - kBlock;
    std::copy_n(tail.data_ptr<double>(), kBlock, last);
    box_muller_16(last);
  }
  return out;
}

}  // namespace axtrain
