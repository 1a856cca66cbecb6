#include "axtrain/train/run.h"

#include "axtrain/train/evaluation.h"
#include "axtrain/train/trainer.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <unistd.h>

namespace axtrain {
namespace {

constexpr int64_t kBiasCalibrationSamples = 2048;  // training rows used to calibrate the bias compensation

nlohmann::json hardware_json(const HardwareConfig& h) {
  return {{"multiplier", h.multiplier}, {"memory", h.memory},     {"p01", h.p01},
          {"p10", h.p10},               {"protect", h.protect},   {"memory_scope", h.memory_scope},
          {"faults", h.faults},         {"ber_curve", h.ber_curve}};
}

nlohmann::json trial_json(const TrialStats& s) {
  return {{"mean", s.mean}, {"std", s.std}, {"ci95", s.ci95}, {"trials", s.trials}, {"values", s.values}};
}

void set_up_torch(const TrainConfig& c) {
  torch::set_num_threads(c.threads);
  torch::manual_seed(static_cast<std::uint64_t>(c.seed));
}

// Evaluation shared by train and eval: exact hardware, the evaluation hardware, sensitivity under it.
nlohmann::json evaluate_run(ApproxNet& net, const PreparedData& data, const TrainConfig& c, const Progress& progress) {
  progress.status("evaluating on exact 8-bit hardware");
  const TrialStats exact = hardware_error(net, data.test, data.task, HardwareState::exact(static_cast<std::uint64_t>(c.seed)),
                                          1, c.batch_size);
  progress.status(fmt::format("evaluating on {} (memory {})", c.hardware_eval.multiplier, c.hardware_eval.memory));
  const HardwareState eval_hw = hardware_from_config(c.hardware_eval, c);
  const TrialStats on_hw = hardware_error(net, data.test, data.task, eval_hw, c.trials, c.batch_size);
  TrialStats compensated;
  if (c.bias_compensation) {
    progress.status("calibrating bias compensation on training data");
    calibrate_bias(net, data.train, data.task, eval_hw, kBiasCalibrationSamples, c.batch_size);
    HardwareState with = eval_hw;
    with.compensate_bias = true;
    compensated = hardware_error(net, data.test, data.task, with, c.trials, c.batch_size);
  }
  progress.status("measuring sensitivity");
  const SensitivityStats s = measure_sensitivity(net, data.test, data.task, eval_hw, c.batch_size);
  progress.line(fmt::format("test error: exact {:.4f}, on {} {:.4f} +- {:.4f}; sensitivity {:.4g}", exact.mean,
                            c.hardware_eval.multiplier, on_hw.mean, on_hw.ci95, s.mean));
  nlohmann::json metrics = {{"method", c.method},
          {"dataset", c.dataset},
          {"task", data.task == Task::kClassification ? "classification" : "regression"},
          {"network", c.network},
          {"seed", c.seed},
          {"threads", c.threads},
          {"hardware", c.hardware_eval.multiplier},
          {"hardware_eval", hardware_json(c.hardware_eval)},
          {"hardware_train", hardware_json(c.hardware_train)},
          {"test_error_exact", exact.mean},
          {"test_error_hw", trial_json(on_hw)},
          {"approximation_error", on_hw.mean - exact.mean},
          {"sensitivity_mean", s.mean},
          {"sensitivity_per_layer", s.per_layer},
          {"sensitivity_sample", s.sample}};
  if (c.bias_compensation) metrics["test_error_hw_compensated"] = trial_json(compensated);
  return metrics;
}

}  // namespace

Progress Progress::for_terminal(bool quiet) { return Progress(!quiet && ::isatty(STDERR_FILENO)); }

void Progress::line(const std::string& text) const {
  if (enabled_) std::fprintf(stderr, "\r\033[K%s\n", text.c_str());
}

void Progress::status(const std::string& text) const {
  if (enabled_) std::fprintf(stderr, "\r\033[K%s", text.c_str());
}

std::string history_csv(const TrainHistory& h) {
  std::string csv = "epoch,loss,regulariser,train_error,validation_error,lr,seconds\n";
  for (const EpochStats& e : h.epochs)
    csv += fmt::format("{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.4f}\n", e.epoch, e.loss, e.regulariser, e.train_error,
                       e.validation_error, e.lr, e.seconds);
  return csv;
}

std::shared_ptr<ApproxNet> build_model(const TrainConfig& c, const PreparedData& data) {
  ModelSpec spec;
  spec.kind = c.network;
  spec.input_shape = data.sample_shape;
  spec.hidden.assign(c.hidden.begin(), c.hidden.end());
  spec.outputs = data.outputs;
  spec.activation = c.activation;
  return make_model(spec);
}

void save_checkpoint(ApproxNet& net, const std::string& path) {
  std::ostringstream out;
  torch::serialize::OutputArchive archive;
  net.save(archive);
  archive.save_to(out);
  write_file_atomic(path, out.str());
}

void load_checkpoint(ApproxNet& net, const std::string& path) {
  std::istringstream in(read_file(path));
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    net.load(archive);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    AXT_FAIL("checkpoint '{}' does not fit the configured model ({}); check that its folder's config.toml is the "
             "one it was trained with", path, what.substr(0, what.find('\n')));
  }
}

nlohmann::json run_train(const TrainConfig& c, const Progress& progress) {
  set_up_torch(c);
  const std::string out = c.out.empty() ? fmt::format("runs/{}-{}-seed{}", c.dataset, c.method, c.seed) : c.out;
  progress.status("loading " + c.dataset);
  const PreparedData data = prepare_data(c);
  auto net = build_model(c, data);
  if (!c.init.empty()) load_checkpoint(*net, c.init);
  const TrainHistory history = train_model(
      *net, data, c,
      [&](const EpochStats& e) {
        progress.line(fmt::format("epoch {}/{}: loss {:.4f}{} train error {:.4f}{} ({:.1f} s)", e.epoch, c.epochs, e.loss,
                                  e.regulariser > 0 ? fmt::format(" R {:.4g}", e.regulariser) : "", e.train_error,
                                  e.validation_error >= 0 ? fmt::format(" validation {:.4f}", e.validation_error) : "",
                                  e.seconds));
      },
      [&](int epoch, int64_t batch, int64_t batches, double loss) {
        if (batch % 20 == 0) progress.status(fmt::format("epoch {}/{}: batch {}/{} loss {:.4f}", epoch, c.epochs, batch, batches, loss));
      });
  nlohmann::json metrics = evaluate_run(*net, data, c, progress);
  metrics["epochs"] = c.epochs;
  metrics["epochs_run"] = history.epochs.size();
  metrics["best_epoch"] = history.best_epoch;
  metrics["stopped_early"] = history.stopped_early;
  metrics["train_seconds"] = history.seconds;
  std::vector<double> epoch_seconds;
  for (const EpochStats& e : history.epochs) epoch_seconds.push_back(e.seconds);
  metrics["epoch_seconds"] = epoch_seconds;
  metrics["run_folder"] = out;
  std::filesystem::create_directories(out);  // only now: a failed run leaves no folder behind
  write_file_atomic(out + "/config.toml", to_toml(c));
  save_checkpoint(*net, out + "/checkpoint.pt");
  write_file_atomic(out + "/history.csv", history_csv(history));
  write_file_atomic(out + "/metrics.json", metrics.dump(2) + "\n");
  return metrics;
}

nlohmann::json run_eval(const TrainConfig& c, const std::string& checkpoint, const Progress& progress) {
  set_up_torch(c);
  const PreparedData data = prepare_data(c);
  auto net = build_model(c, data);
  load_checkpoint(*net, checkpoint);
  nlohmann::json metrics = evaluate_run(*net, data, c, progress);
  metrics["checkpoint"] = checkpoint;
  return metrics;
}

}  // namespace axtrain
