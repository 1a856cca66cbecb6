// Training on the real Fashion-MNIST data: seconds in a release build, so labelled `slow` (the sanitizer
// run skips it).
#include "../support/run_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace axtrain::test {
namespace {

// Acceptance (issue 3): the baseline MLP reaches >= 0.85 Fashion-MNIST test accuracy within 3 epochs.
TEST(CliTrainSlow, BaselineMlpReachesEightyFivePercentInThreeEpochs) {
  TempDir dir;
  const CliResult r = run_cli("train --epochs 3 --quiet --json --out " + dir.file("base"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json m = nlohmann::json::parse(r.out);
  EXPECT_LE(m["test_error_exact"].get<double>(), 0.15);
}

}  // namespace
}  // namespace axtrain::test
