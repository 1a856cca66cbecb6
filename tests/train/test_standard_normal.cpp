// standard_normal against torch::randn, bit for bit, and the generator left in the same state.
#include "axtrain/train/standard_normal.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

namespace axtrain {
namespace {

TEST(StandardNormal, EqualsTorchRandnBitForBit) {
  for (const std::vector<int64_t>& sizes : std::vector<std::vector<int64_t>>{
           {1}, {15}, {16}, {17}, {31}, {32}, {33}, {7, 5}, {128, 10}, {12800, 16}, {100352, 6}, {3, 5, 7}}) {
    SCOPED_TRACE(::testing::Message() << c10::IntArrayRef(sizes));
    auto ours = at::detail::createCPUGenerator(97);
    auto theirs = at::detail::createCPUGenerator(97);
    const auto a = standard_normal(sizes, ours);
    const auto b = torch::randn(sizes, theirs, torch::TensorOptions().dtype(torch::kFloat64));
    EXPECT_EQ(a.sizes(), b.sizes());
    EXPECT_TRUE(torch::equal(a, b));
    // The stream continues where torch's does.
    EXPECT_TRUE(torch::equal(torch::rand({4}, ours, torch::kFloat64), torch::rand({4}, theirs, torch::kFloat64)));
  }
}

TEST(StandardNormal, SameAtEveryThreadCount) {
  const int threads = at::get_num_threads();
  auto g1 = at::detail::createCPUGenerator(5);
  at::set_num_threads(1);
  const auto one = standard_normal({5000, 7}, g1);
  at::set_num_threads(std::max(2, threads));
  auto g2 = at::detail::createCPUGenerator(5);
  EXPECT_TRUE(torch::equal(one, standard_normal({5000, 7}, g2)));
  at::set_num_threads(threads);
}

}  // namespace
}  // namespace axtrain
