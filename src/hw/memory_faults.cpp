#include "axtrain/hw/memory_faults.h"

#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace axtrain {
namespace {

// Calls visit(cell) for each cell of [0, n_cells) chosen independently with probability p, in increasing
// order. The gap to the next chosen cell is Geometric(p), drawn by inversion, so the cost is O(1 + n_cells * p)
// draws. Gaps stay in double until compared, because at tiny p they can exceed 2^64.
template <class Visit>
void for_each_candidate(std::uint64_t n_cells, double p, Rng& rng, Visit visit) {
  if (p <= 0 || n_cells == 0) return;
  const double log1m_p = std::log1p(-p);
  std::uint64_t cell = 0;
  while (cell < n_cells) {
    const double gap = p >= 1 ? 0.0 : std::floor(std::log(rng.uniform_open()) / log1m_p);
    if (gap >= static_cast<double>(n_cells - cell)) return;
    cell += static_cast<std::uint64_t>(gap);
    visit(cell);
    ++cell;
  }
}

bool is_protected(std::uint8_t protected_bits, std::uint64_t cell) {
  return (protected_bits >> (cell & 7)) & 1;
}

}  // namespace

MemoryFaultModel MemoryFaultModel::symmetric(double ber, std::uint8_t protected_bits) {
  AXT_CHECK(ber >= 0 && ber <= 1,
            "bit error rate {} is outside [0, 1]; give the per-cell flip probability, "
            "e.g. 1e-4",
            ber);
  return {.p01 = ber, .p10 = ber, .protected_bits = protected_bits};
}

void MemoryFaultModel::validate() const {
  AXT_CHECK(p01 >= 0 && p01 <= 1,
            "memory fault probability p01 = {} is outside [0, 1]; p01 is the chance that "
            "a stored 0 reads as 1, e.g. 1e-4",
            p01);
  AXT_CHECK(p10 >= 0 && p10 <= 1,
            "memory fault probability p10 = {} is outside [0, 1]; p10 is the chance that "
            "a stored 1 reads as 0, e.g. 1e-4",
            p10);
}

std::size_t inject_transient_faults(std::span<std::uint8_t> codes, const MemoryFaultModel& model, std::uint64_t key) {
  model.validate();
  const double p_max = std::max(model.p01, model.p10);
  if (codes.empty() || p_max == 0 || model.protected_bits == 0xFF) return 0;
  Rng rng(key);
  std::size_t flips = 0;
  for_each_candidate(codes.size() * 8, p_max, rng, [&](std::uint64_t cell) {
    if (is_protected(model.protected_bits, cell)) return;
    std::uint8_t& code = codes[cell >> 3];
    const auto mask = static_cast<std::uint8_t>(1u << (cell & 7));
    // Thinning: a candidate flips with p_bit / p_max, so each cell flips with its own rate overall.
    const double p_bit = (code & mask) ? model.p10 : model.p01;
    if (p_bit < p_max && rng.uniform_open() >= p_bit / p_max) return;
    code = static_cast<std::uint8_t>(code ^ mask);
    ++flips;
  });
  return flips;
}

FaultMap FaultMap::sample(std::size_t n_codes, const MemoryFaultModel& model, std::uint64_t key) {
  model.validate();
  const double p_fault = model.p01 + model.p10;
  AXT_CHECK(p_fault <= 1,
            "persistent fault model has p01 + p10 = {} + {} = {}, above 1; a cell is stuck at 1 "
            "(p01), stuck at 0 (p10) or healthy, so the two must sum to at most 1; lower them",
            model.p01, model.p10, p_fault);
  FaultMap map;
  map.n_codes_ = n_codes;
  if (p_fault == 0 || model.protected_bits == 0xFF) return map;
  Rng rng(key);
  const double share_one = model.p01 / p_fault;  // P(stuck-at-1 | faulty)
  for_each_candidate(static_cast<std::uint64_t>(n_codes) * 8, p_fault, rng, [&](std::uint64_t cell) {
    if (is_protected(model.protected_bits, cell)) return;
    const std::uint64_t value = rng.uniform_open() < share_one ? 1 : 0;
    map.cells_.push_back(cell * 2 + value);
  });
  return map;
}

std::size_t FaultMap::apply(std::span<std::uint8_t> codes) const {
  AXT_CHECK(codes.size() == n_codes_,
            "fault map covers {} codes but the buffer has {}; sample one map per "
            "tensor with FaultMap::sample(n_codes = that tensor's number of codes, ...)",
            n_codes_, codes.size());
  std::size_t changed = 0;
  for (const std::uint64_t entry : cells_) {
    const std::uint64_t cell = entry >> 1;
    std::uint8_t& code = codes[cell >> 3];
    const auto mask = static_cast<std::uint8_t>(1u << (cell & 7));
    const auto forced = static_cast<std::uint8_t>((entry & 1) ? code | mask : code & ~mask);
    changed += forced != code ? 1 : 0;
    code = forced;
  }
  return changed;
}

std::size_t FaultMap::stuck_at_one_cells() const {
  return static_cast<std::size_t>(
      std::count_if(cells_.begin(), cells_.end(), [](std::uint64_t entry) { return (entry & 1) != 0; }));
}

double expected_flips_per_kib(const MemoryFaultModel& model) {
  model.validate();
  const int unprotected = 8 - std::popcount(model.protected_bits);
  return 8192.0 * unprotected / 8 * (model.p01 + model.p10) / 2;
}

}  // namespace axtrain
