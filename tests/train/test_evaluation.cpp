// Monte Carlo evaluation: trials run in parallel over the threads and give exactly the values of one thread;
// model replicas compute what the original computes.
#include "axtrain/train/evaluation.h"
#include "axtrain/train/models.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

namespace axtrain {
namespace {

struct Fixture {
  std::shared_ptr<ApproxNet> net;
  TensorData data;
};

// A small MLP with calibrated input ranges and a K3 bias correction, on 300 seeded random rows.
Fixture make_fixture() {
  torch::manual_seed(7);
  NetworkSpec spec;
  spec.input_shape = {20};
  spec.hidden = {32, 16};
  spec.outputs = 4;
  Fixture f{make_model(spec), {torch::randn({300, 20}), torch::randint(0, 4, {300})}};
  f.net->train();
  {
    torch::NoGradGuard no_grad;
    f.net->forward(f.data.x);  // calibrates the input range observers
  }
  f.net->eval();
  calibrate_bias(*f.net, f.data, Task::kClassification, HardwareState::emulate(Multiplier::parse("K3"), {}, 1), 300,
                 64);
  return f;
}

HardwareState faulty(bool persistent) {
  HardwareState hw = HardwareState::emulate(Multiplier::parse("K3"), MemoryFaultModel::symmetric(2e-2), 11);
  hw.persistent_faults = persistent;
  hw.compensate_bias = true;
  return hw;
}

class ThreadCount : public ::testing::Test {
 protected:
  void TearDown() override { torch::set_num_threads(saved_); }
  int saved_ = torch::get_num_threads();
};

TEST_F(ThreadCount, ParallelTrialsEqualOneThreadBitForBit) {
  Fixture f = make_fixture();
  for (bool persistent : {false, true}) {
    torch::set_num_threads(1);
    const TrialStats one = hardware_error(*f.net, f.data, Task::kClassification, faulty(persistent), 7, 64);
    torch::set_num_threads(2);
    const TrialStats two = hardware_error(*f.net, f.data, Task::kClassification, faulty(persistent), 7, 64);
    torch::set_num_threads(3);  // more workers than cores, trials not a multiple of the workers
    const TrialStats three = hardware_error(*f.net, f.data, Task::kClassification, faulty(persistent), 7, 64);
    ASSERT_EQ(one.values.size(), 7u);
    EXPECT_EQ(one.values, two.values) << "persistent " << persistent;
    EXPECT_EQ(one.values, three.values) << "persistent " << persistent;
    EXPECT_EQ(one.mean, two.mean);
    EXPECT_EQ(one.std, two.std);
    // The trials really differ (each draws its own faults), so the comparison above is not vacuous.
    EXPECT_GT(std::set<double>(one.values.begin(), one.values.end()).size(), 2u) << "persistent " << persistent;
  }
}

TEST_F(ThreadCount, PerLayerAssignmentsRunInParallelToo) {
  Fixture f = make_fixture();
  const std::vector<HardwareState> per_layer = {faulty(false), HardwareState::exact(11), faulty(true)};
  torch::set_num_threads(1);
  const TrialStats one = hardware_error(*f.net, f.data, Task::kClassification, per_layer, 5, 50);
  torch::set_num_threads(2);
  const TrialStats two = hardware_error(*f.net, f.data, Task::kClassification, per_layer, 5, 50);
  EXPECT_EQ(one.values, two.values);
}

TEST_F(ThreadCount, AnErrorInAWorkerReachesTheCaller) {
  Fixture f = make_fixture();
  torch::set_num_threads(2);
  // Two states for a three-layer network: every worker's set_layer_hardware throws.
  const std::vector<HardwareState> wrong = {faulty(false), faulty(false)};
  EXPECT_THROW(hardware_error(*f.net, f.data, Task::kClassification, wrong, 4, 64), Error);
}

TEST(ReplicateModel, ComputesExactlyWhatTheOriginalComputes) {
  Fixture f = make_fixture();
  const auto copy = replicate_model(*f.net);
  HardwareState compensated = faulty(false);
  compensated.memory = {};
  torch::NoGradGuard no_grad;
  for (const HardwareState& hw : {HardwareState::exact(1), compensated}) {
    f.net->set_hardware(std::make_shared<HardwareState>(hw));
    copy->set_hardware(std::make_shared<HardwareState>(hw));
    EXPECT_TRUE(torch::equal(f.net->forward(f.data.x), copy->forward(f.data.x)));
  }
  // Without the bias correction the K3 output differs: the copy really carries the calibration.
  HardwareState uncompensated = compensated;
  uncompensated.compensate_bias = false;
  copy->set_hardware(std::make_shared<HardwareState>(uncompensated));
  EXPECT_FALSE(torch::equal(f.net->forward(f.data.x), copy->forward(f.data.x)));
  // The copy is independent: changing it leaves the original alone.
  const auto before = f.net->approx_layers()[0]->weight_tensor().clone();
  copy->approx_layers()[0]->weight_tensor().add_(1.0);
  EXPECT_TRUE(torch::equal(before, f.net->approx_layers()[0]->weight_tensor()));
}

}  // namespace
}  // namespace axtrain
