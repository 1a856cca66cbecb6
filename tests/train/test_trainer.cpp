// The training loop (train/trainer.h): determinism, learning, the sensitivity term, early stopping, the
// learning-rate schedules and the hardware each method trains on.
#include "axtrain/train/checkpoint.h"
#include "axtrain/train/evaluation.h"
#include "axtrain/train/trainer.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

namespace axtrain {
namespace {

// 600 rows of 8 features; the class is the argmax of a fixed linear map (learnable by a small MLP).
PreparedData synthetic_data(double validation_share = 0) {
  torch::manual_seed(3);
  const auto x = torch::randn({600, 8});
  const auto y = x.matmul(torch::randn({8, 3})).argmax(1);
  PreparedData d;
  d.name = "synthetic";
  d.task = Task::kClassification;
  d.sample_shape = {8};
  d.outputs = 3;
  const int64_t n_val = static_cast<int64_t>(400 * validation_share);
  d.train = {x.slice(0, 0, 400 - n_val), y.slice(0, 0, 400 - n_val)};
  if (n_val > 0) d.validation = {x.slice(0, 400 - n_val, 400), y.slice(0, 400 - n_val, 400)};
  d.test = {x.slice(0, 400), y.slice(0, 400)};
  return d;
}

TrainConfig small_config(Method method = Method::kBaseline) {
  TrainConfig c;
  c.hidden = {16};
  c.epochs = 4;
  c.batch_size = 32;
  c.lr = 1e-2;
  c.method = method;
  c.threads = 1;
  return c;
}

struct Trained {
  std::shared_ptr<ApproxNet> net;
  TrainHistory history;
};

Trained train(const PreparedData& data, const TrainConfig& c, const std::string& multiplier = "exact",
              const TrainControl& control = {}) {
  torch::manual_seed(static_cast<std::uint64_t>(c.seed));
  HardwareResolver resolver;
  HardwareConfig section = c.hardware_train;
  section.multiplier = multiplier;
  Trained t{make_model(network_spec(c, data)), {}};
  t.history = train_model(*t.net, data, c, resolver.resolve(section), control);
  return t;
}

// Stops a run after `steps` steps (on request: the state is saved), then continues the saved state in a new
// model and optimiser, as a new process would.
Trained stopped_and_resumed(const PreparedData& data, const TrainConfig& c, const std::string& multiplier, int steps) {
  std::string state;
  int done = 0;
  TrainControl first;
  first.on_batch = [&](int, int64_t, int64_t, double) { ++done; };
  first.save_state = [&](const std::string& bytes) { state = bytes; };
  first.stop_requested = [&] { return done >= steps; };
  const Trained stopped = train(data, c, multiplier, first);
  EXPECT_TRUE(stopped.history.interrupted) << "stopped after " << steps << " steps";
  TrainConfig other_init = c;
  other_init.seed = c.seed + 100;  // the new model's initial weights must not matter
  torch::manual_seed(static_cast<std::uint64_t>(other_init.seed));
  TrainControl second;
  second.resume_from = state;
  second.resume_origin = "state.pt";
  return train(data, c, multiplier, second);
}

class Trainer : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
  void TearDown() override { torch::set_num_threads(saved_); }
  int saved_ = torch::get_num_threads();
};

TEST_F(Trainer, SameSeedGivesTheSameWeightsAndOtherSeedsDoNot) {
  const PreparedData data = synthetic_data();
  TrainConfig c = small_config(Method::kPas);
  c.hardware_train.multiplier = "K3";
  const Trained a = train(data, c, "K3"), b = train(data, c, "K3");
  EXPECT_EQ(serialize_model(*a.net), serialize_model(*b.net));
  ASSERT_EQ(a.history.epochs.size(), 4u);
  for (std::size_t e = 0; e < 4; ++e) EXPECT_EQ(a.history.epochs[e].loss, b.history.epochs[e].loss);
  c.seed = 2;
  EXPECT_NE(serialize_model(*train(data, c, "K3").net), serialize_model(*a.net));
}

TEST_F(Trainer, LearnsTheTask) {
  const PreparedData data = synthetic_data();
  const Trained t = train(data, small_config());
  const auto& e = t.history.epochs;
  EXPECT_LT(e.back().loss, e.front().loss);
  EXPECT_LT(e.back().train_error, e.front().train_error);
  EXPECT_LT(model_error(*t.net, data.test, data.task, 64), 0.35);  // chance is about 0.67
  EXPECT_EQ(t.history.best_epoch, 4);
  EXPECT_FALSE(t.history.stopped_early);
}

TEST_F(Trainer, OnlyActAndAxtrainAddTheSensitivityTerm) {
  const PreparedData data = synthetic_data();
  for (const Method m : {Method::kBaseline, Method::kPas, Method::kAct, Method::kAxtrain}) {
    TrainConfig c = small_config(m);
    c.epochs = 1;
    const Trained t = train(data, c, "K3");
    const bool with_term = m == Method::kAct || m == Method::kAxtrain;
    EXPECT_EQ(t.history.epochs[0].regulariser > 0, with_term) << name_of(m);
  }
}

TEST_F(Trainer, EarlyStoppingKeepsTheBestEpochsWeights) {
  const PreparedData data = synthetic_data(0.25);
  TrainConfig c = small_config();
  c.epochs = 30;
  c.lr = 0.2;  // large steps: the validation error stops improving within a few epochs
  c.early_stopping = 2;
  const Trained t = train(data, c);
  const auto& e = t.history.epochs;
  ASSERT_TRUE(t.history.stopped_early);
  EXPECT_LT(e.size(), 30u);
  const auto best = std::min_element(e.begin(), e.end(), [](const EpochStats& a, const EpochStats& b) {
    return a.validation_error < b.validation_error;
  });
  EXPECT_EQ(t.history.best_epoch, best->epoch);
  EXPECT_EQ(model_error(*t.net, data.validation, data.task, c.batch_size), best->validation_error);
}

TEST_F(Trainer, AStoppedRunContinuedFromItsStateEndsWithTheSameWeights) {
  struct Case {
    const char* name;
    TrainConfig config;
    std::string multiplier;
    double validation_share = 0;
  };
  std::vector<Case> cases;
  cases.push_back({"baseline adam", small_config(), "exact"});
  TrainConfig faults = small_config(Method::kPas);
  faults.hardware_train.memory = "ber:1e-2";  // fault draws follow the hardware's step counter
  cases.push_back({"pas K3 with memory faults", faults, "K3"});
  TrainConfig sgd = small_config(Method::kAxtrain);
  sgd.optimizer = Optimizer::kSgd;
  sgd.lr_schedule = LrSchedule::kCosine;
  sgd.pas_mode = PasMode::kStatistic;
  cases.push_back({"axtrain statistic, sgd with momentum, cosine", sgd, "K2"});
  TrainConfig early = small_config();
  early.lr = 0.2;
  early.early_stopping = 1;
  early.epochs = 6;
  cases.push_back({"early stopping", early, "exact", 0.25});
  for (const Case& k : cases) {
    const PreparedData data = synthetic_data(k.validation_share);
    const Trained whole = train(data, k.config, k.multiplier);
    const int64_t per_epoch = (data.train.x.size(0) + k.config.batch_size - 1) / k.config.batch_size;
    // Mid-epoch, at an epoch's end, and in a later epoch.
    for (int steps : {1, static_cast<int>(per_epoch), static_cast<int>(per_epoch) + 3}) {
      if (steps >= per_epoch * static_cast<int64_t>(whole.history.epochs.size())) continue;
      SCOPED_TRACE(std::string(k.name) + ", stopped after " + std::to_string(steps) + " steps");
      const Trained resumed = stopped_and_resumed(data, k.config, k.multiplier, steps);
      EXPECT_TRUE(serialize_model(*resumed.net) == serialize_model(*whole.net)) << "the weights differ";
      ASSERT_EQ(resumed.history.epochs.size(), whole.history.epochs.size());
      for (std::size_t e = 0; e < whole.history.epochs.size(); ++e) {
        EXPECT_EQ(resumed.history.epochs[e].loss, whole.history.epochs[e].loss) << e;
        EXPECT_EQ(resumed.history.epochs[e].train_error, whole.history.epochs[e].train_error) << e;
        EXPECT_EQ(resumed.history.epochs[e].validation_error, whole.history.epochs[e].validation_error) << e;
      }
      EXPECT_EQ(resumed.history.best_epoch, whole.history.best_epoch);
      EXPECT_EQ(resumed.history.stopped_early, whole.history.stopped_early);
      EXPECT_FALSE(resumed.history.interrupted);
    }
  }
}

TEST_F(Trainer, AStateThatIsNotOneIsAUserError) {
  const PreparedData data = synthetic_data();
  TrainControl control;
  control.resume_from = "not a training state";
  control.resume_origin = "RUN/state.pt";
  try {
    train(data, small_config(), "exact", control);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("RUN/state.pt"), std::string::npos) << e.what();
  }
}

TEST_F(Trainer, LearningRateSchedules) {
  const PreparedData data = synthetic_data();
  TrainConfig c = small_config();
  c.epochs = 6;
  c.lr_schedule = LrSchedule::kStep;
  const Trained step = train(data, c);
  EXPECT_DOUBLE_EQ(step.history.epochs[0].lr, 1e-2);
  EXPECT_DOUBLE_EQ(step.history.epochs[1].lr, 1e-2);
  EXPECT_DOUBLE_EQ(step.history.epochs[2].lr, 1e-3);  // /10 every third of the run
  EXPECT_DOUBLE_EQ(step.history.epochs[5].lr, 1e-4);
  c.lr_schedule = LrSchedule::kCosine;
  const Trained cosine = train(data, c);
  EXPECT_DOUBLE_EQ(cosine.history.epochs[0].lr, 1e-2);
  EXPECT_NEAR(cosine.history.epochs[3].lr, 5e-3, 1e-12);  // half-way down the cosine
  EXPECT_LT(cosine.history.epochs[5].lr, cosine.history.epochs[4].lr);
}

TEST_F(Trainer, EachMethodTrainsOnItsHardware) {
  HardwareResolver resolver;
  HardwareConfig section;
  section.multiplier = "K3";
  const ResolvedHardware k3 = resolver.resolve(section);
  TrainConfig c;
  for (const auto& [method, mode] :
       {std::pair{Method::kBaseline, ForwardMode::kFloat}, std::pair{Method::kAct, ForwardMode::kFloat},
        std::pair{Method::kPas, ForwardMode::kEmulate}, std::pair{Method::kAxtrain, ForwardMode::kEmulate}}) {
    c.method = method;
    const HardwareState hw = method_hardware(k3, c);
    EXPECT_EQ(hw.mode, mode) << name_of(method);
    EXPECT_EQ(hw.matmul->multiplier().spec(), "K3");
  }
  c.method = Method::kPas;
  c.pas_mode = PasMode::kStatistic;
  EXPECT_EQ(method_hardware(k3, c).mode, ForwardMode::kStatistic);
}

TEST(History, CsvRoundTrip) {
  TrainHistory h;
  h.epochs.push_back({.epoch = 1,
                      .loss = 0.5,
                      .regulariser = 0,
                      .train_error = 0.25,
                      .validation_error = -1,
                      .lr = 1e-3,
                      .seconds = 1.5});
  h.epochs.push_back({.epoch = 2,
                      .loss = 0.25,
                      .regulariser = 0.125,
                      .train_error = 0.125,
                      .validation_error = 0.2,
                      .lr = 1e-4,
                      .seconds = 1.25});
  const TrainHistory back = parse_history_csv(history_csv(h), "h.csv");
  ASSERT_EQ(back.epochs.size(), 2u);
  EXPECT_EQ(back.epochs[1].loss, 0.25);
  EXPECT_EQ(back.epochs[1].regulariser, 0.125);
  EXPECT_EQ(back.epochs[1].validation_error, 0.2);
  EXPECT_EQ(back.best_epoch, 2);
  EXPECT_THROW(parse_history_csv("epoch,loss\n1,2\n", "h.csv"), axtrain::Error);
  EXPECT_THROW(parse_history_csv(history_csv(h) + "3,x,0,0,0,0,0\n", "h.csv"), axtrain::Error);
}

}  // namespace
}  // namespace axtrain
