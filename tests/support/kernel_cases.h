// Shared by the kernel tests: multipliers from in-memory tables, operand fills and the edge-shape grid.
// Every fast kernel is judged against gemm_reference on these.
#pragma once

#include "axtrain/hw/multiplier.h"
#include "axtrain/hw/table_file.h"
#include "axtrain/kernels/gemm_reference.h"
#include "axtrain/util/rng.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace axtrain::test {

// A `lut:` multiplier whose product at codes (a, b) is product(a, b), written as a text table file.
inline Multiplier table_multiplier(const std::string& name, std::optional<SignedLayout> layout,
                                   const std::function<std::int32_t(int, int)>& product) {
  const bool is_signed = layout.has_value();
  std::vector<std::int32_t> products(65536);
  ProductTable shape(is_signed, std::vector<std::int32_t>(65536, 0));
  for (int ia = 0; ia < 256; ++ia)
    for (int ib = 0; ib < 256; ++ib) products[ia * 256 + ib] = product(shape.code_of(ia), shape.code_of(ib));
  const std::string path = (std::filesystem::path(testing::TempDir()) / ("kernel_" + name + ".txt")).string();
  save_table(ProductTable(is_signed, products), path, TableFormat::kText, layout);
  return Multiplier::parse("lut:" + path + (layout ? ",signed=" + std::string(layout_name(*layout)) : ""));
}

enum class Fill { kRandom, kZeros, kAllFF, kAll80, kAlternating };
inline const std::vector<Fill>& all_fills() {
  static const std::vector<Fill> fills = {Fill::kRandom, Fill::kZeros, Fill::kAllFF, Fill::kAll80, Fill::kAlternating};
  return fills;
}

inline std::vector<std::uint8_t> filled(std::size_t size, Fill fill, std::uint64_t seed) {
  std::vector<std::uint8_t> v(size);
  Rng rng(seed);
  for (std::size_t i = 0; i < size; ++i) {
    switch (fill) {
      case Fill::kRandom: v[i] = static_cast<std::uint8_t>(rng.below(256)); break;
      case Fill::kZeros: v[i] = 0x00; break;
      case Fill::kAllFF: v[i] = 0xFF; break;
      case Fill::kAll80: v[i] = 0x80; break;
      case Fill::kAlternating: v[i] = (i % 2) ? 0xFF : 0x80; break;
    }
  }
  return v;
}

struct GemmCase {
  int m, n, k, za, zb;
  Fill fill;
};

// m x n x k over edge sizes (1, odd, around the 64-byte vector width), padded strides, every fill.
inline std::vector<GemmCase> edge_cases(bool is_signed) {
  std::vector<GemmCase> cases;
  const std::vector<std::pair<int, int>> zero_points =
      is_signed ? std::vector<std::pair<int, int>>{{0, 0}, {-128, 127}, {127, -128}}
                : std::vector<std::pair<int, int>>{{0, 0}, {128, 3}, {255, 255}};
  const int shapes[][3] = {{1, 1, 1},     {1, 64, 1},   {2, 63, 3},    {3, 65, 64}, {17, 1, 65},
                           {5, 129, 127}, {64, 2, 129}, {7, 200, 300}, {1, 3, 1000}};
  std::size_t z = 0;
  for (const auto& s : shapes) {
    for (Fill fill : all_fills()) {
      const auto [za, zb] = zero_points[z++ % zero_points.size()];
      cases.push_back({s[0], s[1], s[2], za, zb, fill});
    }
  }
  return cases;
}

// Operands of a case with padded strides (lda = k + 3, ldb = n + 5, ldc = n + 2).
struct GemmOperands {
  int lda, ldb, ldc;
  std::vector<std::uint8_t> a, b;
};

inline GemmOperands operands(const GemmCase& c, std::uint64_t seed) {
  GemmOperands o{c.k + 3, c.n + 5, c.n + 2, {}, {}};
  o.a = filled(static_cast<std::size_t>(c.m) * o.lda, c.fill, derive_key({seed, 1}));
  o.b = filled(static_cast<std::size_t>(c.k) * o.ldb, c.fill, derive_key({seed, 2}));
  return o;
}

// B of a case stored transposed (BLayout::kNByK): n rows of k codes, row stride k + 1 (padding left at 0x5A).
struct TransposedB {
  int ldb;
  std::vector<std::uint8_t> b;
};
inline TransposedB transposed_b(const GemmCase& c, const GemmOperands& o) {
  TransposedB t{c.k + 1, std::vector<std::uint8_t>(static_cast<std::size_t>(c.n) * (c.k + 1), 0x5A)};
  for (int p = 0; p < c.k; ++p)
    for (int j = 0; j < c.n; ++j)
      t.b[static_cast<std::size_t>(j) * t.ldb + p] = o.b[static_cast<std::size_t>(p) * o.ldb + j];
  return t;
}

// gemm_reference's result for a case, with the padding of C set to a marker the kernels must not touch.
constexpr std::int32_t kUntouched = -7;
inline std::vector<std::int32_t> reference_result(const Multiplier& f, const GemmCase& c, const GemmOperands& o) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(c.m) * o.ldc, kUntouched);
  gemm_reference(f, c.m, c.n, c.k, o.a.data(), o.lda, c.za, o.b.data(), o.ldb, c.zb, out.data(), o.ldc);
  return out;
}

}  // namespace axtrain::test
