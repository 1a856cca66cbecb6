// The complete behaviour of an 8-bit multiplier: its product for all 256 x 256 operand codes.
#pragma once

#include <cstdint>
#include <vector>

namespace axtrain {

// Operand codes are 8 bits. An unsigned design reads them as 0..255; a signed design as -128..127.
// Rows and columns are indexed by the operand *index* 0..255: index = code for unsigned designs and
// index = code + 128 for signed ones (so index order is numeric order in both cases).
class ProductTable {
 public:
  ProductTable(bool is_signed, std::vector<std::int32_t> products);  // products: 65536, row-major [a][b]

  bool is_signed() const { return signed_; }
  static constexpr int kSize = 256;

  int code_of(int index) const { return signed_ ? index - 128 : index; }
  int index_of(int code) const { return signed_ ? code + 128 : code; }
  // The approximate product at operand indices (ia, ib).
  std::int32_t at(int ia, int ib) const {
    return products_[static_cast<std::size_t>(ia) * kSize + static_cast<std::size_t>(ib)];
  }
  // The exact product of the codes at indices (ia, ib).
  std::int32_t exact_at(int ia, int ib) const { return code_of(ia) * code_of(ib); }
  // The error f(a, b) - a * b at indices (ia, ib).
  std::int32_t error_at(int ia, int ib) const { return at(ia, ib) - exact_at(ia, ib); }
  // Largest |a * b| over all codes: 65025 unsigned, 16384 signed. The denominator of nmed.
  std::int32_t max_exact_product() const { return signed_ ? 128 * 128 : 255 * 255; }

  const std::vector<std::int32_t>& products() const { return products_; }

 private:
  bool signed_;
  std::vector<std::int32_t> products_;
};

}  // namespace axtrain
