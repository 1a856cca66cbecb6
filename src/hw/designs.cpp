#include "axtrain/hw/designs.h"

#include <bit>

namespace axtrain {
namespace {

int leading_one(int x) {
  return std::bit_width(static_cast<unsigned>(x)) - 1;
}  // x > 0

}  // namespace

std::int32_t KulkarniMul::operator()(int a, int b) const {
  std::int32_t sum = 0;
  for (int i = 0; i < 4; ++i) {
    const int ai = (a >> (2 * i)) & 3;
    for (int j = 0; j < 4; ++j) {
      const int bj = (b >> (2 * j)) & 3;
      const int block = (i + j < k && ai == 3 && bj == 3) ? 7 : ai * bj;
      sum += block << (2 * (i + j));
    }
  }
  return sum;
}

std::int32_t TruncatedMul::operator()(int a, int b) const {
  std::int32_t sum = 0;
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) {
      if (i + j >= t) sum += (((a >> i) & (b >> j)) & 1) << (i + j);
    }
  }
  return sum;
}

std::int32_t DrumMul::operator()(int a, int b) const {
  auto reduce = [this](int x, int& shift) {
    shift = 0;
    if (x < (1 << k)) return x;
    shift = leading_one(x) - k + 1;
    return (x >> shift) | 1;
  };
  int shift_a = 0;
  int shift_b = 0;
  const int ra = reduce(a, shift_a);
  const int rb = reduce(b, shift_b);
  return (ra * rb) << (shift_a + shift_b);
}

std::int32_t MitchellMul::operator()(int a, int b) const {
  if (a == 0 || b == 0) return 0;
  const int na = leading_one(a);
  const int nb = leading_one(b);
  const int ma = a - (1 << na);
  const int mb = b - (1 << nb);
  const int s = (ma << nb) + (mb << na);
  const int base = 1 << (na + nb);
  return s < base ? base + s : 2 * s;
}

}  // namespace axtrain
