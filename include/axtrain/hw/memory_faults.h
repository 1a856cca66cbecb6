// Bit faults in the NTV SRAM that holds 8-bit codes (SPEC 2.4). Cell i of a buffer is bit (i % 8) of byte
// i / 8, bit 0 the least significant. Two kinds of fault share one model:
//   transient  : resampled on every read (every batch, every inference): inject_transient_faults().
//   persistent : one chip; a seeded, fixed set of stuck cells: FaultMap.
// Both cost O(number of faults), not O(number of bits), and every draw comes from an Rng keyed by the
// caller, so any trial can be replayed. See docs/memory-model.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace axtrain {

// Per-cell fault probabilities. Example: MemoryFaultModel{.p01 = 1e-4, .p10 = 3e-4, .protected_bits = 0x80}
struct MemoryFaultModel {
  double p01 = 0;                   // probability that a stored 0 reads as 1, [0, 1]
  double p10 = 0;                   // probability that a stored 1 reads as 0, [0, 1]
  std::uint8_t protected_bits = 0;  // mask of bit positions that never fail (0x80 = the top/sign bit); 0 = none

  // p01 = p10 = ber, in [0, 1]. Throws axtrain::Error when ber is outside [0, 1] or NaN.
  static MemoryFaultModel symmetric(double ber, std::uint8_t protected_bits = 0);

  // Throws axtrain::Error naming the field when p01 or p10 is NaN or outside [0, 1].
  void validate() const;
};

// Transient faults on one read: flips bits of `codes` in place. A stored 0 flips with probability p01, a
// stored 1 with p10, protected positions never; every cell independently. Returns the number of flipped bits.
// Draws only from Rng(key); callers pass derive_key({seed, tensor_id, step}) so each read is replayable.
// Expected cost O(1 + 8 * codes.size() * max(p01, p10)): candidate cells are reached with geometric gaps at
// rate max(p01, p10) and thinned to each cell's own rate, so it never touches every bit.
// Throws axtrain::Error (from validate()) for an invalid model. An empty span is fine (returns 0).
std::size_t inject_transient_faults(std::span<std::uint8_t> codes, const MemoryFaultModel& model, std::uint64_t key);

// Persistent faults: the fixed faulty cells of one chip over a buffer of n_codes bytes. Each unprotected cell
// is independently stuck-at-1 with probability p01, stuck-at-0 with probability p10, or healthy; so a stored 0
// reads 1 with probability p01, the same marginal as the transient model (and a symmetric model at rate p
// marks 2p of the cells faulty, half of which agree with what is stored). Requires p01 + p10 <= 1.
class FaultMap {
 public:
  FaultMap() = default;  // a map over 0 codes with no faults

  // Samples the map from Rng(key); callers pass derive_key({seed, tensor_id, chip}). Expected cost
  // O(1 + 8 * n_codes * (p01 + p10)). Throws axtrain::Error for an invalid model or p01 + p10 > 1.
  static FaultMap sample(std::size_t n_codes, const MemoryFaultModel& model, std::uint64_t key);

  // Forces every stuck cell of `codes` to its stuck value, in place; returns the number of bits changed.
  // Idempotent. Costs O(faulty_cells()). Throws axtrain::Error unless codes.size() == size().
  std::size_t apply(std::span<std::uint8_t> codes) const;

  std::size_t faulty_cells() const { return cells_.size(); }  // stuck-at-0 plus stuck-at-1 cells
  std::size_t stuck_at_one_cells() const;                     // O(faulty_cells())
  std::size_t size() const { return n_codes_; }               // bytes (codes) the map covers

 private:
  std::size_t n_codes_ = 0;
  // One entry per faulty cell, sorted: cell index * 2 + stuck value (0 or 1).
  std::vector<std::uint64_t> cells_;
};

// Expected flipped bits per KiB (8192 cells) of stored codes, assuming half the stored bits are 1 and
// excluding protected positions: 8192 * (8 - popcount(protected_bits)) / 8 * (p01 + p10) / 2. Holds for
// both the transient model (per read) and the persistent one (per chip). Validates the model.
double expected_flips_per_kib(const MemoryFaultModel& model);

}  // namespace axtrain
