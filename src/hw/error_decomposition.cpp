#include "axtrain/hw/error_decomposition.h"

#include "axtrain/util/check.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

namespace axtrain {
namespace {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;
using Row = std::vector<i128>;

constexpr int kN = ProductTable::kSize;
constexpr i128 kMaxExactDouble = i128(1) << 53;

std::vector<Row> error_rows(const ProductTable& table) {
  std::vector<Row> rows(kN, Row(kN));
  for (int ia = 0; ia < kN; ++ia)
    for (int ib = 0; ib < kN; ++ib) rows[ia][ib] = table.error_at(ia, ib);
  return rows;
}

i128 abs128(i128 x) {
  return x < 0 ? -x : x;
}

i128 gcd128(i128 a, i128 b) {
  a = abs128(a);
  b = abs128(b);
  while (b != 0) {
    const i128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// x*a + y*b with overflow detection; false on overflow.
bool combine(i128 x, const Row& a, i128 y, const Row& b, Row& out) {
  Row result(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    i128 p, q;
    if (__builtin_mul_overflow(x, a[i], &p) || __builtin_mul_overflow(y, b[i], &q) ||
        __builtin_add_overflow(p, q, &result[i]))
      return false;
  }
  out = std::move(result);
  return true;
}

int first_nonzero(const Row& row) {
  for (int i = 0; i < static_cast<int>(row.size()); ++i)
    if (row[i] != 0) return i;
  return -1;
}

// Divides a row by the gcd of its entries and makes its first non-zero entry positive. Dividing a basis
// row by its content keeps every table row an integer combination of the basis, and keeps numbers small.
void make_primitive(Row& row) {
  i128 g = 0;
  for (i128 x : row) g = gcd128(g, x);
  const int lead = first_nonzero(row);
  if (g == 0 || lead < 0) return;
  if (row[lead] < 0) g = -g;
  for (i128& x : row) x /= g;
}

struct IntegerFactors {
  std::vector<Row> basis;                       // r rows in echelon form: the v factors
  std::vector<int> pivot;                       // pivot column of each basis row
  std::vector<std::vector<i128>> coefficients;  // 256 x r: the u factors
};

// Echelon basis of the lattice spanned by E's rows (extended-gcd row reduction), then each row's integer
// coordinates. nullopt if any intermediate overflows 128 bits.
std::optional<IntegerFactors> integer_factors(const std::vector<Row>& rows) {
  IntegerFactors f;
  for (const Row& original : rows) {
    Row r = original;
    for (int col = first_nonzero(r); col >= 0; col = first_nonzero(r)) {
      const auto it = std::find(f.pivot.begin(), f.pivot.end(), col);
      if (it == f.pivot.end()) {  // a new direction: insert, keeping pivots sorted
        make_primitive(r);
        const auto pos = std::lower_bound(f.pivot.begin(), f.pivot.end(), col) - f.pivot.begin();
        f.pivot.insert(f.pivot.begin() + pos, col);
        f.basis.insert(f.basis.begin() + pos, std::move(r));
        break;
      }
      Row& h = f.basis[it - f.pivot.begin()];
      const i128 x = h[col], y = r[col];
      if (y % x == 0) {
        if (!combine(1, r, -(y / x), h, r)) return std::nullopt;
        continue;
      }
      // Extended Euclid: s x + t y = g. [h; r] <- [s h + t r; (x/g) r - (y/g) h] is unimodular.
      i128 old_r = x, rr = y, old_s = 1, s = 0, old_t = 0, t = 1;
      while (rr != 0) {
        const i128 q = old_r / rr;
        i128 tmp = old_r - q * rr;
        old_r = rr;
        rr = tmp;
        tmp = old_s - q * s;
        old_s = s;
        s = tmp;
        tmp = old_t - q * t;
        old_t = t;
        t = tmp;
      }
      const i128 g = old_r;
      Row new_h, new_r;
      if (!combine(old_s, h, old_t, r, new_h) || !combine(x / g, r, -(y / g), h, new_r)) return std::nullopt;
      h = std::move(new_h);
      r = std::move(new_r);
    }
  }
  // Coordinates: forward substitution in pivot order; exact division is guaranteed by the lattice.
  const std::size_t rank = f.basis.size();
  for (const Row& original : rows) {
    Row r = original;
    std::vector<i128> c(rank, 0);
    for (std::size_t k = 0; k < rank; ++k) {
      const int col = f.pivot[k];
      if (r[col] == 0) continue;
      AXT_ASSERT(r[col] % f.basis[k][col] == 0);
      c[k] = r[col] / f.basis[k][col];
      if (!combine(1, r, -c[k], f.basis[k], r)) return std::nullopt;
    }
    AXT_ASSERT(first_nonzero(r) < 0);
    f.coefficients.push_back(std::move(c));
  }
  return f;
}

int modular_rank(const std::vector<Row>& rows, std::uint64_t p) {
  std::vector<std::vector<std::uint64_t>> m(kN, std::vector<std::uint64_t>(kN));
  const i128 pp = static_cast<i128>(p);
  for (int i = 0; i < kN; ++i)
    for (int j = 0; j < kN; ++j) m[i][j] = static_cast<std::uint64_t>(((rows[i][j] % pp) + pp) % pp);
  auto mulmod = [p](std::uint64_t a, std::uint64_t b) {
    return static_cast<std::uint64_t>(static_cast<u128>(a) * b % p);
  };
  auto inverse = [&](std::uint64_t a) {  // Fermat: a^(p-2)
    std::uint64_t result = 1, e = p - 2;
    for (; e; e >>= 1, a = mulmod(a, a))
      if (e & 1) result = mulmod(result, a);
    return result;
  };
  int rank = 0;
  for (int col = 0; col < kN && rank < kN; ++col) {
    int pivot = rank;
    while (pivot < kN && m[pivot][col] == 0) ++pivot;
    if (pivot == kN) continue;
    std::swap(m[pivot], m[rank]);
    const std::uint64_t inv = inverse(m[rank][col]);
    for (int i = rank + 1; i < kN; ++i) {
      if (m[i][col] == 0) continue;
      const std::uint64_t factor = mulmod(m[i][col], inv);
      for (int j = col; j < kN; ++j) m[i][j] = (m[i][j] + p - mulmod(factor, m[rank][j])) % p;
    }
    ++rank;
  }
  return rank;
}

int rank_from_rows(const std::vector<Row>& rows, const std::optional<IntegerFactors>& factors) {
  if (factors) return static_cast<int>(factors->basis.size());
  return std::max(modular_rank(rows, (std::uint64_t(1) << 61) - 1), modular_rank(rows, 998244353));
}

bool fits_double(const IntegerFactors& f) {
  for (const Row& row : f.basis)
    for (i128 x : row)
      if (abs128(x) > kMaxExactDouble) return false;
  for (const auto& row : f.coefficients)
    for (i128 x : row)
      if (abs128(x) > kMaxExactDouble) return false;
  return true;
}

void fill_residual(const ProductTable& table, ErrorDecomposition& d) {
  double max_abs = 0, sq = 0;
  for (int ia = 0; ia < kN; ++ia) {
    for (int ib = 0; ib < kN; ++ib) {
      const double r = table.error_at(ia, ib) - d.value_at(ia, ib);
      max_abs = std::max(max_abs, std::abs(r));
      sq += r * r;
    }
  }
  d.max_abs_residual = max_abs;
  d.rms_residual = std::sqrt(sq / (kN * kN));
}

}  // namespace

double ErrorDecomposition::value_at(int ia, int ib) const {
  double sum = 0;
  for (int t = 0; t < terms; ++t) sum += u[ia * terms + t] * v[ib * terms + t];
  return sum;
}

int error_table_rank(const ProductTable& table) {
  const std::vector<Row> rows = error_rows(table);
  return rank_from_rows(rows, integer_factors(rows));
}

ErrorDecomposition decompose_error(const ProductTable& table, int max_terms) {
  AXT_CHECK(max_terms >= 0 && max_terms <= kN, "max_terms {} is out of range; use 0..256", max_terms);
  const std::vector<Row> rows = error_rows(table);
  const std::optional<IntegerFactors> factors = integer_factors(rows);
  ErrorDecomposition d;
  d.rank = rank_from_rows(rows, factors);
  if (factors && d.rank <= max_terms && fits_double(*factors)) {
    d.integer = true;
    d.terms = d.rank;
    d.u.resize(static_cast<std::size_t>(kN) * static_cast<std::size_t>(d.terms));
    d.v.resize(static_cast<std::size_t>(kN) * static_cast<std::size_t>(d.terms));
    for (int i = 0; i < kN; ++i) {
      for (int t = 0; t < d.terms; ++t) {
        d.u[i * d.terms + t] = static_cast<double>(factors->coefficients[i][t]);
        d.v[i * d.terms + t] = static_cast<double>(factors->basis[t][i]);
      }
    }
    // Exactness check in integer arithmetic; the lattice construction guarantees it.
    for (int ia = 0; ia < kN; ++ia) {
      for (int ib = 0; ib < kN; ++ib) {
        i128 sum = 0;
        for (int t = 0; t < d.terms; ++t) sum += factors->coefficients[ia][t] * factors->basis[t][ib];
        AXT_ASSERT(sum == rows[ia][ib]);
      }
    }
    return d;
  }
  d.terms = std::min(d.rank, max_terms);
  Eigen::MatrixXd e(kN, kN);
  for (int ia = 0; ia < kN; ++ia)
    for (int ib = 0; ib < kN; ++ib) e(ia, ib) = table.error_at(ia, ib);
  // Truncated SVD through the symmetric eigenproblem of E^T E = V S^2 V^T (eigenvalues ascending):
  // v_t = eigenvector, u_t = E v_t. The squared conditioning only affects the discarded small terms.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(e.transpose() * e);
  const Eigen::MatrixXd ev = e * eig.eigenvectors();
  d.u.resize(static_cast<std::size_t>(kN) * static_cast<std::size_t>(d.terms));
  d.v.resize(static_cast<std::size_t>(kN) * static_cast<std::size_t>(d.terms));
  for (int t = 0; t < d.terms; ++t) {
    const int col = kN - 1 - t;
    for (int i = 0; i < kN; ++i) {
      d.u[i * d.terms + t] = ev(i, col);
      d.v[i * d.terms + t] = eig.eigenvectors()(i, col);
    }
  }
  fill_residual(table, d);
  return d;
}

}  // namespace axtrain
