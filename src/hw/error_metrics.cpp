#include "axtrain/hw/error_metrics.h"

#include "axtrain/hw/error_decomposition.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace axtrain {
namespace {

std::vector<double> normalised(std::span<const double> hist, const char* which) {
  AXT_CHECK(hist.size() == 256, "operand histogram {} has {} entries; it needs 256 (one per 8-bit code)", which,
            hist.size());
  double sum = 0;
  for (double h : hist) {
    AXT_CHECK(std::isfinite(h) && h >= 0, "operand histogram {} has entry {}; entries must be finite and >= 0", which,
              h);
    sum += h;
  }
  AXT_CHECK(sum > 0, "operand histogram {} sums to 0; give at least one positive count", which);
  std::vector<double> p(hist.begin(), hist.end());
  for (double& x : p) x /= sum;
  return p;
}

}  // namespace

double error_metric(const ErrorMetrics& m, std::string_view name) {
  if (name == "er") return m.er;
  if (name == "med") return m.med;
  if (name == "nmed") return m.nmed;
  if (name == "mred") return m.mred;
  if (name == "wce") return static_cast<double>(m.wce);
  if (name == "mse") return m.mse;
  if (name == "mean_error") return m.mean_error;
  if (name == "error_rank") return m.error_rank;
  AXT_FAIL("unknown error metric '{}'; known: er, med, nmed, mred, wce, mse, mean_error, error_rank", printable(name));
}

ErrorMetrics compute_error_metrics(const ProductTable& table) {
  // Integer sums are exact; only mred needs floating point (accumulated in long double).
  std::int64_t wrong = 0, abs_sum = 0, signed_sum = 0, sq_sum = 0, wce = 0, nonzero = 0;
  long double rel_sum = 0;
  for (int ia = 0; ia < 256; ++ia) {
    for (int ib = 0; ib < 256; ++ib) {
      const std::int64_t e = table.error_at(ia, ib);
      const std::int64_t exact = table.exact_at(ia, ib);
      wrong += e != 0;
      abs_sum += std::llabs(e);
      signed_sum += e;
      sq_sum += e * e;
      wce = std::max<std::int64_t>(wce, std::llabs(e));
      if (exact != 0) {
        ++nonzero;
        rel_sum += static_cast<long double>(std::llabs(e)) / static_cast<long double>(std::llabs(exact));
      }
    }
  }
  constexpr double kPairs = 65536.0;
  ErrorMetrics m;
  m.er = static_cast<double>(wrong) / kPairs;
  m.med = static_cast<double>(abs_sum) / kPairs;
  m.nmed = m.med / table.max_exact_product();
  m.mred = static_cast<double>(rel_sum / static_cast<long double>(nonzero));
  m.wce = wce;
  m.mse = static_cast<double>(sq_sum) / kPairs;
  m.mean_error = static_cast<double>(signed_sum) / kPairs;
  m.error_rank = error_table_rank(table);
  return m;
}

ErrorMetrics compute_error_metrics(const ProductTable& table, std::span<const double> hist_a,
                                   std::span<const double> hist_b) {
  const std::vector<double> p = normalised(hist_a, "a");
  const std::vector<double> q = normalised(hist_b, "b");
  long double wrong = 0, abs_sum = 0, signed_sum = 0, sq_sum = 0, rel_sum = 0, nonzero = 0;
  std::int64_t wce = 0;
  for (int ia = 0; ia < 256; ++ia) {
    if (p[ia] == 0) continue;
    for (int ib = 0; ib < 256; ++ib) {
      if (q[ib] == 0) continue;
      const long double w = static_cast<long double>(p[ia]) * q[ib];
      const std::int64_t e = table.error_at(ia, ib);
      const std::int64_t exact = table.exact_at(ia, ib);
      wrong += e != 0 ? w : 0;
      abs_sum += w * static_cast<long double>(std::llabs(e));
      signed_sum += w * static_cast<long double>(e);
      sq_sum += w * static_cast<long double>(e * e);
      wce = std::max<std::int64_t>(wce, std::llabs(e));
      if (exact != 0) {
        nonzero += w;
        rel_sum += w * static_cast<long double>(std::llabs(e)) / static_cast<long double>(std::llabs(exact));
      }
    }
  }
  ErrorMetrics m;
  m.er = static_cast<double>(wrong);
  m.med = static_cast<double>(abs_sum);
  m.nmed = m.med / table.max_exact_product();
  m.mred = nonzero > 0 ? static_cast<double>(rel_sum / nonzero) : 0.0;
  m.wce = wce;
  m.mse = static_cast<double>(sq_sum);
  m.mean_error = static_cast<double>(signed_sum);
  m.error_rank = error_table_rank(table);
  return m;
}

RelativeErrorMoments relative_error_moments(const ProductTable& table, std::span<const double> hist_a,
                                            std::span<const double> hist_b) {
  return RelativeErrorTable(table).moments(hist_a, hist_b);
}

RelativeErrorTable::RelativeErrorTable(const ProductTable& table)
    : weight_(65536, 0.0), eps_(65536, 0.0), eps_squared_(65536, 0.0) {
  for (int ia = 0; ia < 256; ++ia) {
    for (int ib = 0; ib < 256; ++ib) {
      const double exact = table.exact_at(ia, ib);
      if (exact == 0) continue;
      const double eps = table.error_at(ia, ib) / exact;
      const std::size_t i = static_cast<std::size_t>(ib) * 256 + static_cast<std::size_t>(ia);
      weight_[i] = 1;
      eps_[i] = eps;
      eps_squared_[i] = eps * eps;
    }
  }
}

RelativeErrorMoments RelativeErrorTable::moments(std::span<const double> hist_a, std::span<const double> hist_b) const {
  const std::vector<double> p = normalised(hist_a, "a");
  const std::vector<double> q = normalised(hist_b, "b");
  // sum_a p(a) sum_b q(b) M(a, b) for M = weight, eps, eps^2. Each row's inner sum runs over b in order; the
  // tables are stored by b, so the loop over the 256 rows is the inner one and vectorises (every row's sum
  // still adds its terms in b's order, so the sums are those of a loop per row). A b with q(b) = 0 or an a
  // with p(a) = 0 adds nothing (every entry is finite) and is skipped.
  std::array<double, 256> row_w{}, row_e{}, row_e2{};
  for (std::size_t ib = 0; ib < 256; ++ib) {
    const double qb = q[ib];
    if (qb == 0) continue;
    const double* w = weight_.data() + ib * 256;
    const double* e = eps_.data() + ib * 256;
    const double* e2 = eps_squared_.data() + ib * 256;
    for (std::size_t ia = 0; ia < 256; ++ia) {
      row_w[ia] += qb * w[ia];
      row_e[ia] += qb * e[ia];
      row_e2[ia] += qb * e2[ia];
    }
  }
  double weight = 0, sum = 0, sq = 0;
  for (std::size_t ia = 0; ia < 256; ++ia) {
    if (p[ia] == 0) continue;
    weight += p[ia] * row_w[ia];
    sum += p[ia] * row_e[ia];
    sq += p[ia] * row_e2[ia];
  }
  if (weight == 0) return {};
  const double mean = sum / weight;
  return {.mean = mean, .variance = std::max(0.0, sq / weight - mean * mean)};
}

std::vector<double> load_operand_histogram(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<double> hist;
  for (const TextLine& text_line : split_lines(text)) {
    const int line_no = text_line.number;
    const std::string_view content = trim(text_line.text);
    if (content.empty() || content.front() == '#') continue;
    std::string line(content);
    for (char& c : line)
      if (c == ',') c = ' ';
    std::istringstream fields(line);
    std::string token;
    while (fields >> token) {
      char* end = nullptr;
      const double value = std::strtod(token.c_str(), &end);
      AXT_CHECK(end && *end == '\0' && std::isfinite(value) && value >= 0,
                "histogram file '{}' line {}: '{}' is not a non-negative number; give 256 counts", path, line_no,
                printable(token));
      hist.push_back(value);
    }
  }
  AXT_CHECK(hist.size() == 256,
            "histogram file '{}' has {} entries; it needs 256 (one per 8-bit operand code, "
            "in numeric order)",
            path, hist.size());
  return hist;
}

}  // namespace axtrain
