// The forward pass of an approximate layer on 2-D operands, shared by ApproxLinear and ApproxConv2d
// (which unfolds its input into rows first).
#pragma once

#include "axtrain/hw/error_metrics.h"
#include "axtrain/hw/memory_faults.h"
#include "axtrain/train/hardware_state.h"
#include "axtrain/train/quantization.h"

#include <torch/types.h>

#include <cstdint>

namespace axtrain {

// One chip's persistent weight faults, sampled on first use for a (trial, size) and kept.
struct FaultMapCache {
  std::uint64_t key = 0;
  FaultMap map;
};

// Per-output compensation of the multiplier's mean error, calibrated on data at deployment: while
// calibrating, the mean over rows of (approximate - exact product) on the same codes is accumulated; the
// correction is then subtracted from the hardware output when HardwareState::compensate_bias is set.
struct BiasCompensation {
  bool calibrating = false;
  torch::Tensor sum;         // {O} float64, summed error per output while calibrating
  int64_t rows = 0;          // rows accumulated
  torch::Tensor correction;  // {O} float64; undefined = no correction
  void start() { calibrating = true, sum = torch::Tensor(), rows = 0; }
  void finish();  // correction = sum / rows
};

// The GEMM path a layer uses, chosen once per multiplier and depth (not per call).
struct GemmChoice {
  const ApproxMatmul* matmul = nullptr;
  int64_t depth = 0;
  GemmPath path = GemmPath::kGather;
};

// A layer's mutable hardware state across forwards (one per group of a grouped convolution).
struct LayerRuntime {
  FaultMapCache faults;
  BiasCompensation bias;
  GemmChoice gemm;
  // Group g of a grouped convolution draws its memory faults and statistic noise with keys of its own
  // (HardwareState::fault_key's tensor + 3 g); 0 for every other layer.
  int group = 0;
};

// y = x w^T + bias computed on the hardware `hw`:
//   x: {N, K} real inputs (one row per output position), w: {O, K} real weights, bias: {O} or undefined.
//   qx, qw: quantisation of x (per tensor) and w (per tensor or per output channel).
// kEmulate: the exact hardware result (codes, memory faults, approximate product, exact zero-point terms),
//   with the straight-through gradient of the fake-quantised float product (computed in backward only,
//   from the saved fake-quantised operands: the forward runs no float GEMM).
// kStatistic: the fake-quantised float product plus Gaussian noise whose per-output mean and variance come
//   from the multiplier's relative-error moments over the operands' code histograms and the memory-fault
//   variance; the noise carries no gradient.
// Returns {N, O}.
torch::Tensor approx_forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                             const QuantParams& qx, const QuantParams& qw, const HardwareState& hw, int layer_id,
                             LayerRuntime& runtime);

// kEmulate's value without a gradient: the hardware's output {N, O} for the quantised operands rx {N, K} and
// rw {O, K} (SPEC 2.1), bit-exact with gemm_reference: memory faults on the stored codes, the approximate
// product, exact zero-point terms, scale, bias compensation; as dtype. Reads the rows' bytes and code sums.
torch::Tensor hardware_output(const QuantizedRows& rx, const QuantizedRows& rw, const QuantParams& qx,
                              const QuantParams& qw, const HardwareState& hw, int layer_id, LayerRuntime& runtime,
                              torch::ScalarType dtype);

// Each row's sum of codes, float64 {rows} (exact integers), of stored code bytes {rows, cols} (signed designs'
// bytes read as two's complement).
torch::Tensor byte_row_sums(const torch::Tensor& bytes, bool is_signed);

// Histogram (256 counts, by operand index) of a code tensor (float64 codes, or uint8 stored bytes).
std::vector<double> code_histogram(const torch::Tensor& codes, bool is_signed);

// Relative-error moments of the hardware's multiplier over the codes (or stored bytes) of a layer's operands.
RelativeErrorMoments operand_error_moments(const torch::Tensor& w_codes, const torch::Tensor& x_codes,
                                           const HardwareState& hw);

// Applies memory faults in place to stored code bytes (made contiguous first).
void apply_memory_faults_to_bytes(torch::Tensor& bytes, const HardwareState& hw, int layer_id, int tensor,
                                  FaultMapCache* persistent);

}  // namespace axtrain
