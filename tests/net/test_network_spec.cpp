#include "axtrain/net/network_spec.h"

#include "../support/expect_error.h"

#include <gtest/gtest.h>

namespace axtrain {
namespace {

TEST(NetworkMemory, TheEstimateCountsEveryParameterAndEveryActivationOfABatch) {
  const NetworkSpec mlp{.kind = Network::kMlp, .input_shape = {4}, .hidden = {3}, .outputs = 2};
  const MemoryEstimate m = training_memory(mlp, 10);
  EXPECT_EQ(m.parameters, 4 * 3 + 3 + 3 * 2 + 2);
  EXPECT_EQ(m.activations, 10 * ((4 + 3) + (3 + 2)));
  EXPECT_EQ(m.bytes, 48 * m.parameters + 64 * m.activations);
  const NetworkSpec lenet{.kind = Network::kLenet, .input_shape = {1, 28, 28}, .outputs = 10};
  EXPECT_EQ(training_memory(lenet, 1).parameters,
            (1 * 6 * 25 + 6) + (6 * 16 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10));
}

TEST(NetworkMemory, ANetworkAboveTheMemoryIsRefusedNamingTheEstimateAndTheFix) {
  const NetworkSpec big{.kind = Network::kMlp, .input_shape = {9}, .hidden = {100000, 100000}, .outputs = 1};
  test::expect_error([&] { check_training_memory(big, 128, 24e9); },
                     {"needs about 483.3 GB", "more than this machine's 24.0 GB", "smaller hidden sizes"});
  EXPECT_NO_THROW(check_training_memory(big, 128, 1e12));
}

}  // namespace
}  // namespace axtrain
