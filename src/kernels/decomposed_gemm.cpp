#include "axtrain/kernels/decomposed_gemm.h"

#include "axtrain/kernels/int8_gemm.h"
#include "axtrain/util/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <numeric>

namespace axtrain {
namespace {

using Values = std::array<std::int64_t, 256>;  // a factor's value by stored byte

// value = scale * (offset + sum_d base^d digits[d]), each digit in the operand's range.
struct Digits {
  std::int64_t scale = 1;
  std::int64_t offset = 0;
  std::int64_t base = 256;
  std::vector<Values> digits;
};

// Splits a factor into digits of `bits` bits: unsigned 0..2^bits-1, or signed -2^(bits-1)..2^(bits-1)-1.
// The common divisor is taken out only when the values do not fit one digit as they are.
Digits split_factor(Values v, int bits, bool signed_digits) {
  Digits d;
  d.base = std::int64_t{1} << bits;
  const std::int64_t lo_digit = signed_digits ? -d.base / 2 : 0;
  const std::int64_t hi_digit = lo_digit + d.base - 1;
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  if (*hi - *lo > d.base - 1) {
    std::int64_t g = 0;
    for (std::int64_t x : v) g = std::gcd(g, x);
    if (g > 1) {
      d.scale = g;
      for (std::int64_t& x : v) x /= g;
    }
    std::tie(lo, hi) = std::minmax_element(v.begin(), v.end());
  }
  if (*lo >= lo_digit && *hi <= hi_digit) {
    d.digits.push_back(v);
    return d;
  }
  // v = lo + sum_d base^d e_d with e_d in 0..base-1; digit_d = e_d + lo_digit.
  const std::int64_t min = *lo, range = *hi - *lo;
  int count = 1;
  for (std::int64_t reach = d.base; reach <= range; reach *= d.base) ++count;
  std::int64_t place_sum = 0;
  for (std::int64_t digit = 0, place = 1; digit < count; ++digit, place *= d.base) {
    Values values{};
    for (int x = 0; x < 256; ++x) values[x] = (v[x] - min) / place % d.base + lo_digit;
    d.digits.push_back(values);
    place_sum += place;
  }
  d.offset = min - lo_digit * place_sum;
  return d;
}

ByteTable to_bytes(const Values& v) {
  ByteTable t{};
  for (int x = 0; x < 256; ++x) t[x] = static_cast<std::uint8_t>(v[x]);  // s8 digits as two's complement
  return t;
}

// Arithmetic modulo 2^32: the final result fits int32, so its residue determines it.
std::uint32_t wrap(std::int64_t x) {
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(x));
}

std::int64_t power(std::int64_t base, int e) {
  std::uint64_t r = 1;
  for (int i = 0; i < e; ++i) r *= static_cast<std::uint64_t>(base);
  return static_cast<std::int64_t>(r);
}

// Uninitialised scratch memory that grows as needed, one per thread (no allocation or zeroing per call).
template <typename T>
T* scratch(std::unique_ptr<T[]>& buffer, std::size_t& capacity, std::size_t size) {
  if (size > capacity) {
    buffer.reset(new T[size]);
    capacity = size;
  }
  return buffer.get();
}

struct Workspace {
  std::unique_ptr<std::uint8_t[]> a, b;
  std::unique_ptr<std::int32_t[]> product;
  std::unique_ptr<std::uint32_t[]> acc;
  std::size_t a_size = 0, b_size = 0, product_size = 0, acc_size = 0;
};

std::int64_t mul(std::int64_t a, std::int64_t b) {  // modulo 2^64; only the low 32 bits are used
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

using ByteSum = std::uint32_t (*)(const std::uint8_t*, std::size_t);

// Stacked digits of an operand stored along k (n x k, or the first operand): row r of `out` (count * k bytes)
// is [tables[s](in[r][0..k)) for each segment s], and coef[s] * sum(segment s's digits) is added to adds[r]
// (modulo 2^32). `sum` reads the digits as u8 (sum_bytes) or s8 (sum_signed_bytes).
void stack_rows(const std::vector<const ByteTable*>& tables, const std::vector<std::uint32_t>& coef, ByteSum sum,
                const std::uint8_t* in, std::size_t stride, std::size_t rows, std::size_t k, std::uint8_t* out,
                std::uint32_t* adds) {
  const std::size_t count = tables.size(), depth = count * k;
#pragma omp parallel for schedule(static) if (rows * depth > 65536)
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t s = 0; s < count; ++s) {
      std::uint8_t* digits = out + r * depth + s * k;
      lookup_bytes(*tables[s], in + r * stride, digits, k);
      if (coef[s] != 0) adds[r] += coef[s] * sum(digits, k);
    }
  }
}

// The same for a second operand stored k x n: `out` is (count * k) x n, segment s in rows s k .. s k + k - 1,
// and the s8 digit sums go to the columns' adds, in blocks of columns.
void stack_columns(const std::vector<const ByteTable*>& tables, const std::vector<std::uint32_t>& coef,
                   const std::uint8_t* in, std::size_t stride, std::size_t cols, std::size_t k, std::uint8_t* out,
                   std::uint32_t* adds) {
  constexpr std::size_t kColumnBlock = 4096;
  const std::size_t count = tables.size(), blocks = (cols + kColumnBlock - 1) / kColumnBlock;
#pragma omp parallel for schedule(static) if (count * k * cols > 65536)
  for (std::size_t block = 0; block < blocks; ++block) {
    const std::size_t j0 = block * kColumnBlock, width = std::min(kColumnBlock, cols - j0);
    for (std::size_t s = 0; s < count; ++s) {
      for (std::size_t p = 0; p < k; ++p) {
        std::uint8_t* digits = out + (s * k + p) * cols + j0;
        lookup_bytes(*tables[s], in + p * stride + j0, digits, width);
        if (coef[s] != 0) add_signed_bytes(digits, coef[s], adds + j0, width);
      }
    }
  }
}

}  // namespace

int DecomposedGemm::add_p_table(const ByteTable& table) {
  const auto it = std::find(p_tables_.begin(), p_tables_.end(), table);
  if (it != p_tables_.end()) return static_cast<int>(it - p_tables_.begin());
  p_tables_.push_back(table);
  return static_cast<int>(p_tables_.size()) - 1;
}

int DecomposedGemm::add_q_table(const ByteTable& table) {
  const auto it = std::find(q_tables_.begin(), q_tables_.end(), table);
  if (it != q_tables_.end()) return static_cast<int>(it - q_tables_.begin());
  q_tables_.push_back(table);
  return static_cast<int>(q_tables_.size()) - 1;
}

std::optional<DecomposedGemm> DecomposedGemm::plan(const Multiplier& f, int signed_bits) {
  AXT_CHECK(signed_bits >= 2 && signed_bits <= 8, "signed digit width {} is out of range; use 2..8", signed_bits);
  const ErrorDecomposition& e = f.decomposition();
  if (!e.integer) return std::nullopt;
  const ProductTable& table = f.table();
  DecomposedGemm plan;
  plan.is_signed_ = table.is_signed();
  for (std::int32_t product : table.products())
    plan.max_abs_product_ = std::max<std::int64_t>(plan.max_abs_product_, std::abs(std::int64_t{product}));
  // Factor pairs by stored byte: the codes themselves (the a*b part), then each error term.
  auto index_of_byte = [&](int byte) { return plan.is_signed_ ? byte ^ 0x80 : byte; };
  std::vector<std::pair<Values, Values>> factors;
  Values codes{};
  for (int byte = 0; byte < 256; ++byte) codes[byte] = table.code_of(index_of_byte(byte));
  factors.emplace_back(codes, codes);
  for (int t = 0; t < e.terms; ++t) {
    Values u{}, v{};
    for (int byte = 0; byte < 256; ++byte) {
      u[byte] = static_cast<std::int64_t>(e.u[index_of_byte(byte) * e.terms + t]);
      v[byte] = static_cast<std::int64_t>(e.v[index_of_byte(byte) * e.terms + t]);
    }
    factors.emplace_back(u, v);
  }
  std::vector<std::int64_t> row_coef, col_coef;  // by table index
  auto add_coef = [](std::vector<std::int64_t>& coef, int index, std::int64_t value) {
    if (static_cast<int>(coef.size()) <= index) coef.resize(static_cast<std::size_t>(index) + 1, 0);
    coef[static_cast<std::size_t>(index)] += value;
  };
  for (const auto& [u, v] : factors) {
    // U V = gu gv (ou + sum_i Bu^i P_i)(ov + sum_j Bv^j Q_j), expanded term by term.
    const Digits du = split_factor(u, 8, false), dv = split_factor(v, signed_bits, true);
    const std::int64_t g = mul(du.scale, dv.scale);
    plan.constant_ += mul(g, mul(du.offset, dv.offset));
    for (std::size_t i = 0; i < du.digits.size(); ++i) {
      const int p = plan.add_p_table(to_bytes(du.digits[i]));
      const std::int64_t pi = power(du.base, static_cast<int>(i));
      add_coef(row_coef, p, mul(g, mul(dv.offset, pi)));
      for (std::size_t j = 0; j < dv.digits.size(); ++j) {
        const int q = plan.add_q_table(to_bytes(dv.digits[j]));
        const std::int64_t scale = mul(g, mul(pi, power(dv.base, static_cast<int>(j))));
        auto group = std::find_if(plan.groups_.begin(), plan.groups_.end(),
                                  [&](const Group& gr) { return wrap(gr.scale) == wrap(scale); });
        if (group == plan.groups_.end()) group = plan.groups_.insert(plan.groups_.end(), Group{scale, {}});
        group->segments.push_back({p, q});
      }
    }
    for (std::size_t j = 0; j < dv.digits.size(); ++j) {
      const int q = plan.add_q_table(to_bytes(dv.digits[j]));
      add_coef(col_coef, q, mul(g, mul(du.offset, power(dv.base, static_cast<int>(j)))));
    }
  }
  row_coef.resize(plan.p_tables_.size(), 0);
  col_coef.resize(plan.q_tables_.size(), 0);
  for (std::int64_t x : row_coef) plan.row_coef_.push_back(wrap(x));
  for (std::int64_t x : col_coef) plan.col_coef_.push_back(wrap(x));
  return plan;
}

bool DecomposedGemm::result_fits(int k, int za, int zb) const {
  const std::int64_t max_code = is_signed_ ? 128 : 255;
  const std::int64_t per_term =
      max_abs_product_ + (std::abs(za) + std::abs(zb)) * max_code + std::abs(std::int64_t{za} * zb);
  return std::int64_t{k} * per_term <= std::numeric_limits<std::int32_t>::max();
}

int DecomposedGemm::segment_count() const {
  int count = 0;
  for (const Group& g : groups_) count += static_cast<int>(g.segments.size());
  return count;
}

std::string DecomposedGemm::describe() const {
  std::string depths;
  for (const Group& g : groups_) depths += fmt::format("{}{}k", depths.empty() ? "" : "+", g.segments.size());
  return fmt::format("{} int8 GEMM{} of depth {} ({} segments)", groups_.size(), groups_.size() == 1 ? "" : "s", depths,
                     segment_count());
}

void DecomposedGemm::run(int m, int n, int k, const std::uint8_t* a, int lda, int za, const std::uint8_t* b, int ldb,
                         int zb, std::int32_t* c, int ldc, BLayout layout) const {
  const bool b_rows = layout == BLayout::kNByK;  // b is n x k
  AXT_CHECK(m >= 0 && n >= 0, "GEMM shape m={} n={} is invalid; m and n must be >= 0", m, n);
  AXT_CHECK(k >= 1 && k <= kInt8GemmMaxDepth, "GEMM depth k={} is out of range; use 1..{}", k, kInt8GemmMaxDepth);
  AXT_CHECK(lda >= k && ldb >= (b_rows ? k : n) && ldc >= n,
            "GEMM strides lda={} ldb={} ldc={} are too small for k={} n={}", lda, ldb, ldc, k, n);
  AXT_CHECK(result_fits(k, za, zb), "decomposed GEMM of depth {} with zero points {}, {} may overflow int32", k, za,
            zb);
  if (m == 0 || n == 0) return;
  const auto mm = static_cast<std::size_t>(m), nn = static_cast<std::size_t>(n), kk = static_cast<std::size_t>(k);
  const auto sa = static_cast<std::size_t>(lda), sb = static_cast<std::size_t>(ldb);
  // Row and column additions (modulo 2^32): the constant, the zero-point terms, then the linear terms.
  std::vector<std::uint32_t> row_add(mm, wrap(mul(k, constant_) + std::int64_t{k} * za * zb)), col_add(nn, 0);
  auto code = [this](std::uint8_t byte) {
    return is_signed_ ? std::int64_t{static_cast<std::int8_t>(byte)} : std::int64_t{byte};
  };
  if (zb != 0) {
    for (std::size_t i = 0; i < mm; ++i) {
      std::int64_t sum = 0;
      for (std::size_t p = 0; p < kk; ++p) sum += code(a[i * sa + p]);
      row_add[i] += wrap(-zb * sum);
    }
  }
  if (za != 0) {
    for (std::size_t p = 0; p < kk; ++p)
      for (std::size_t j = 0; j < nn; ++j) col_add[j] += wrap(-za * code(b[b_rows ? j * sb + p : p * sb + j]));
  }
  // The GEMMs: each group in chunks whose depth keeps int32 accumulation exact. A digit table's row or column
  // sum is taken from the stacked operand the first time the table is looked up.
  std::vector<bool> p_summed(p_tables_.size(), false), q_summed(q_tables_.size(), false);
  thread_local Workspace work;
  std::int32_t* product = scratch(work.product, work.product_size, mm * nn);
  std::uint32_t* acc = scratch(work.acc, work.acc_size, mm * nn);
  bool acc_set = false;
  const std::size_t per_chunk = static_cast<std::size_t>(kInt8GemmMaxDepth / k);
  std::size_t gemms_left = 0;
  for (const Group& group : groups_) gemms_left += (group.segments.size() + per_chunk - 1) / per_chunk;
  for (const Group& group : groups_) {
    for (std::size_t first = 0; first < group.segments.size(); first += per_chunk) {
      const std::size_t count = std::min(per_chunk, group.segments.size() - first);
      const std::size_t depth = count * kk;
      std::vector<std::uint32_t> p_coef(count, 0), q_coef(count, 0);  // sums to take in this chunk
      std::vector<const ByteTable*> p_digits(count), q_digits(count);
      for (std::size_t s = 0; s < count; ++s) {
        const Segment& seg = group.segments[first + s];
        const auto p = static_cast<std::size_t>(seg.p), q = static_cast<std::size_t>(seg.q);
        p_digits[s] = &p_tables_[p], q_digits[s] = &q_tables_[q];
        if (!p_summed[p]) p_coef[s] = row_coef_[p], p_summed[p] = true;
        if (!q_summed[q]) q_coef[s] = col_coef_[q], q_summed[q] = true;
      }
      std::uint8_t* stacked_a = scratch(work.a, work.a_size, mm * depth);
      std::uint8_t* stacked_b = scratch(work.b, work.b_size, depth * nn);
      stack_rows(p_digits, p_coef, sum_bytes, a, sa, mm, kk, stacked_a, row_add.data());
      if (b_rows)
        stack_rows(q_digits, q_coef, sum_signed_bytes, b, sb, nn, kk, stacked_b, col_add.data());
      else
        stack_columns(q_digits, q_coef, b, sb, nn, kk, stacked_b, col_add.data());
      int8_gemm(m, n, static_cast<int>(depth), stacked_a, static_cast<int>(depth),
                reinterpret_cast<const std::int8_t*>(stacked_b), b_rows ? static_cast<int>(depth) : n, product, n,
                layout);
      const std::uint32_t scale = wrap(group.scale);
      if (--gemms_left == 0) {  // the last GEMM: combine everything into C in the same pass
        for (std::size_t i = 0; i < mm; ++i) {
          const std::uint32_t* prior = acc + i * nn;
          const std::int32_t* row = product + i * nn;
          std::int32_t* out = c + i * static_cast<std::size_t>(ldc);
          for (std::size_t j = 0; j < nn; ++j) {
            const std::uint32_t earlier = acc_set ? prior[j] : 0;
            out[j] = static_cast<std::int32_t>(earlier + scale * static_cast<std::uint32_t>(row[j]) + row_add[i] +
                                               col_add[j]);
          }
        }
      } else if (!acc_set) {
        acc_set = true;
        for (std::size_t x = 0; x < mm * nn; ++x) acc[x] = scale * static_cast<std::uint32_t>(product[x]);
      } else {
        for (std::size_t x = 0; x < mm * nn; ++x) acc[x] += scale * static_cast<std::uint32_t>(product[x]);
      }
    }
  }
}

}  // namespace axtrain
