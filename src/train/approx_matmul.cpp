#include "axtrain/train/approx_matmul.h"

#include "axtrain/util/check.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

namespace axtrain {
namespace {

constexpr double kExactLimit = 9007199254740992.0;  // 2^53: float64 integer arithmetic is exact below

torch::Tensor operand_index(const torch::Tensor& codes, bool is_signed) {
  return (is_signed ? codes + 128.0 : codes).to(torch::kLong);
}

}  // namespace

ApproxMatmul::ApproxMatmul(const Multiplier& multiplier) : multiplier_(multiplier) {
  const ProductTable& table = multiplier.table();
  table_ =
      torch::from_blob(const_cast<std::int32_t*>(table.products().data()), {65536}, torch::kInt32).to(torch::kLong);
  const ErrorDecomposition& d = multiplier.decomposition();
  if (!d.integer) return;
  terms_ = d.terms;
  if (terms_ == 0) return;
  u_ = torch::from_blob(const_cast<double*>(d.u.data()), {256, terms_}, torch::kFloat64).clone();
  v_ = torch::from_blob(const_cast<double*>(d.v.data()), {256, terms_}, torch::kFloat64).clone();
  max_abs_u_ = u_.abs().max().item<double>();
  max_abs_v_ = v_.abs().max().item<double>();
}

torch::Tensor ApproxMatmul::operator()(const torch::Tensor& a, const torch::Tensor& b) const {
  AXT_ASSERT(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0));
  torch::NoGradGuard no_grad;
  const double k = static_cast<double>(a.size(1));
  const bool fits = k * 128.0 * 255.0 * 2 < kExactLimit && k * max_abs_u_ * max_abs_v_ * (terms_ + 1) < kExactLimit;
  if (!decomposed() || !fits) return gather(a, b);
  torch::Tensor c = torch::mm(a.to(torch::kFloat64), b.to(torch::kFloat64));
  if (terms_ == 0) return c;
  const bool is_signed = multiplier_.is_signed();
  const auto ua = u_.index_select(0, operand_index(a, is_signed).reshape(-1)).view({a.size(0), a.size(1), terms_});
  const auto vb = v_.index_select(0, operand_index(b, is_signed).reshape(-1)).view({b.size(0), b.size(1), terms_});
  for (int t = 0; t < terms_; ++t) c += torch::mm(ua.select(2, t), vb.select(2, t));
  return c;
}

torch::Tensor ApproxMatmul::gather(const torch::Tensor& a, const torch::Tensor& b) const {
  torch::NoGradGuard no_grad;
  const bool is_signed = multiplier_.is_signed();
  const auto ia = operand_index(a, is_signed).contiguous();
  const auto ib = operand_index(b, is_signed).t().contiguous();  // {N, K}: rows contiguous in k
  const int64_t rows = a.size(0), cols = b.size(1), depth = a.size(1);
  auto out = torch::empty({rows, cols}, torch::kFloat64);
  const int64_t* pa = ia.data_ptr<int64_t>();
  const int64_t* pb = ib.data_ptr<int64_t>();
  const int64_t* lut = table_.data_ptr<int64_t>();
  double* po = out.data_ptr<double>();
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      const int64_t* row = pa + o * depth;
      for (int64_t n = 0; n < cols; ++n) {
        const int64_t* col = pb + n * depth;
        int64_t acc = 0;
        for (int64_t p = 0; p < depth; ++p) acc += lut[row[p] * 256 + col[p]];
        po[o * cols + n] = static_cast<double>(acc);
      }
    }
  });
  return out;
}

}  // namespace axtrain
