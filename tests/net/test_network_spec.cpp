#include "axtrain/net/network_spec.h"

#include "../support/expect_error.h"

#include <gtest/gtest.h>

namespace axtrain {
namespace {

TEST(NetworkMemory, TheEstimateCountsEveryParameterAndEveryActivationOfABatch) {
  const NetworkSpec mlp{.network = "mlp", .input_shape = {4}, .hidden = {3}, .outputs = 2};
  const MemoryEstimate m = training_memory(mlp, 10);
  EXPECT_EQ(m.parameters, 4 * 3 + 3 + 3 * 2 + 2);
  EXPECT_EQ(m.activations, 10 * ((4 + 3) + (3 + 2)));
  EXPECT_EQ(m.bytes, 48 * m.parameters + 64 * m.activations);
  const NetworkSpec lenet{.network = "lenet", .input_shape = {1, 28, 28}, .outputs = 10};
  EXPECT_EQ(training_memory(lenet, 1).parameters,
            (1 * 6 * 25 + 6) + (6 * 16 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10));
}

TEST(NetworkSpec, LenetTakesImagesOfAnySizeFromTwelvePixels) {
  const auto layers = [](std::vector<int64_t> shape) {
    return approximate_layers({.network = "lenet", .input_shape = std::move(shape), .outputs = 10});
  };
  const std::vector<LayerShape> fashion = layers({1, 28, 28});
  EXPECT_EQ(fashion[2].in, 400) << "16 x 5 x 5, LeNet-5's own";
  EXPECT_EQ(fashion[1].height, 14);
  const std::vector<LayerShape> cifar = layers({3, 32, 32});  // 32 -> 16 -> 12 -> 6
  EXPECT_EQ(cifar[0].in, 3);
  EXPECT_EQ(cifar[0].height, 32);
  EXPECT_EQ(cifar[1].width, 16);
  EXPECT_EQ(cifar[2].in, 16 * 6 * 6);
  EXPECT_EQ(layers({1, 12, 13})[2].in, 16) << "12 and 13 both end at 1 x 1";
  EXPECT_EQ(layers({2, 40, 12})[2].in, 16 * 8 * 1);
  test::expect_error([&] { layers({1, 11, 28}); }, {"at least 12 x 12", "1x11x28", "use network = \"mlp\""});
  test::expect_error([&] { layers({784}); }, {"{C, H, W}", "784"});
  test::expect_error([&] { layers({28, 28}); }, {"{C, H, W}", "add the axis: x[:, None]"});
  test::expect_error([&] { layers({32, 32, 3}); }, {"32x32x3", "x.transpose(0, 3, 1, 2)"});
}

TEST(NetworkMemory, ANetworkAboveTheMemoryIsRefusedNamingTheEstimateAndTheFix) {
  const NetworkSpec big{.network = "mlp", .input_shape = {9}, .hidden = {100000, 100000}, .outputs = 1};
  test::expect_error([&] { check_training_memory(big, 128, 24e9); },
                     {"needs about 483.3 GB", "more than this machine's 24.0 GB", "smaller hidden sizes"});
  EXPECT_NO_THROW(check_training_memory(big, 128, 1e12));
}

}  // namespace
}  // namespace axtrain
