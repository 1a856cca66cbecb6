// torch::randn(sizes, generator) in float64, bit for bit, with the Box-Muller transform on every thread.
#pragma once

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace axtrain {

// The values of torch::randn(sizes, generator, float64), consuming the generator's stream as it does: libtorch
// 1.13 draws every uniform in order under the generator's lock, then turns each block of 16 into normals
// (normal_fill, ATen/native/cpu/DistributionTemplates.h) on one thread. The uniforms are drawn the same way
// here, and the blocks, independent of each other, are transformed in parallel with the same scalar
// operations. Test StandardNormal.EqualsTorchRandnBitForBit.
torch::Tensor standard_normal(at::IntArrayRef sizes, at::Generator& generator);

}  // namespace axtrain
