#include "axtrain/train/approx_matmul.h"

#include "axtrain/util/check.h"

#include <torch/torch.h>

#include <chrono>
#include <limits>
#include <vector>

namespace axtrain {
namespace {

// Products deeper than this are summed from chunks (the kernels' int32 accumulators hold any chunk).
constexpr int64_t kDepthChunk = 8192;

}  // namespace

torch::Tensor code_bytes(const torch::Tensor& codes, bool is_signed) {
  // int32 -> uint8 wraps modulo 256, which is the two's-complement byte of a signed code.
  return (is_signed ? codes.to(torch::kInt32) : codes).to(torch::kUInt8).contiguous();
}

torch::Tensor codes_of_bytes(const torch::Tensor& bytes, bool is_signed) {
  return is_signed ? bytes.view(torch::kInt8).to(torch::kFloat64) : bytes.to(torch::kFloat64);
}

ApproxMatmul::ApproxMatmul(const Multiplier& multiplier) : gemm_(multiplier) {}

GemmPath ApproxMatmul::choose(int64_t k) const {
  return gemm_.choose(static_cast<int>(std::min<int64_t>(k, kDepthChunk)), 0, 0);
}

torch::Tensor ApproxMatmul::tuned(const torch::Tensor& a, const torch::Tensor& x, GemmPath* fastest) const {
  const int64_t k = a.size(1);
  std::vector<GemmPath> candidates = {choose(k)};
  if (candidates.front() == GemmPath::kDecomposed && table_path_supported(TablePath::kVbmi))
    candidates.push_back(GemmPath::kTableVbmi);
  *fastest = candidates.front();
  torch::Tensor result = of_bytes(a, x, candidates.front());
  if (candidates.size() == 1) return result;
  double best = std::numeric_limits<double>::infinity();
  for (int rep = 0; rep < 2; ++rep) {
    for (GemmPath path : candidates) {
      const auto start = std::chrono::steady_clock::now();
      const torch::Tensor product = of_bytes(a, x, path);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      AXT_ASSERT(torch::equal(product, result));  // every path is exact
      if (rep == 1 && seconds < best) best = seconds, *fastest = path;
    }
  }
  return result;
}

torch::Tensor ApproxMatmul::operator()(const torch::Tensor& a, const torch::Tensor& x, GemmPath path) const {
  AXT_ASSERT(a.dim() == 2 && x.dim() == 2 && a.size(1) == x.size(1));
  torch::NoGradGuard no_grad;
  const bool is_signed = multiplier().is_signed();
  return of_bytes(code_bytes(a, is_signed), code_bytes(x, is_signed), path);
}

torch::Tensor ApproxMatmul::of_bytes(const torch::Tensor& a_bytes, const torch::Tensor& x_bytes, GemmPath path) const {
  AXT_ASSERT(a_bytes.dim() == 2 && x_bytes.dim() == 2 && a_bytes.size(1) == x_bytes.size(1));
  AXT_ASSERT(a_bytes.is_contiguous() && x_bytes.is_contiguous() && a_bytes.scalar_type() == torch::kUInt8);
  const auto rows = static_cast<int>(a_bytes.size(0)), cols = static_cast<int>(x_bytes.size(0));
  const int64_t depth = a_bytes.size(1);
  const std::uint8_t* pa = a_bytes.data_ptr<std::uint8_t>();
  const std::uint8_t* px = x_bytes.data_ptr<std::uint8_t>();
  // Depths beyond one chunk: int32 partial sums per chunk, added in float64 (exact integers below 2^53).
  auto sum = torch::empty({rows, cols}, torch::kFloat64);
  double* out = sum.data_ptr<double>();
  const auto size = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  thread_local std::vector<std::int32_t> part;
  part.resize(size);
  for (int64_t first = 0; first < depth; first += kDepthChunk) {
    const auto k = static_cast<int>(std::min(kDepthChunk, depth - first));
    gemm_.run(path, rows, cols, k, pa + first, static_cast<int>(depth), 0, px + first, static_cast<int>(depth), 0,
              part.data(), cols, BLayout::kNByK);
    for (std::size_t i = 0; i < size; ++i) out[i] = (first == 0 ? 0.0 : out[i]) + static_cast<double>(part[i]);
  }
  return sum;
}

}  // namespace axtrain
