// Seeded, splittable randomness. Every random draw in AxTrain comes from an Rng whose state derives from
// a key such as (seed, tensor, step), so any single draw sequence can be replayed on its own and sweeps
// can run in any order or in parallel without changing results.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace axtrain {

// Mixes a list of integers into one 64-bit key (SplitMix64 finaliser chained over the parts).
// Example: derive_key({seed, tensor_id, step}).
std::uint64_t derive_key(std::initializer_list<std::uint64_t> parts);

// xoshiro256** seeded from a 64-bit key through SplitMix64. Not thread-safe: one per stream.
class Rng {
 public:
  explicit Rng(std::uint64_t key);
  std::uint64_t next_u64();
  // Uniform in the open interval (0, 1), 53 bits: never 0, so log(u) is finite.
  double uniform_open();
  // Uniform integer in [0, n), n > 0, without modulo bias.
  std::uint64_t below(std::uint64_t n);

 private:
  std::uint64_t s_[4];
};

}  // namespace axtrain
