#include "axtrain/runs/train_run.h"

#include "axtrain/config/hardware.h"
#include "axtrain/train/checkpoint.h"
#include "axtrain/train/evaluation.h"
#include "axtrain/train/models.h"
#include "axtrain/train/tensor_data.h"
#include "axtrain/train/torchscript_model.h"
#include "axtrain/train/trainer.h"
#include "axtrain/train/training_state.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/field_json.h"
#include "axtrain/util/interrupt.h"

#include <torch/torch.h>

#include <fmt/ranges.h>

#include <algorithm>

namespace axtrain {
namespace {

nlohmann::json trial_json(const TrialStats& s) {
  return {{"mean", s.mean}, {"std", s.std}, {"ci95", s.ci95}, {"trials", s.trials}, {"values", s.values}};
}

void set_up_torch(const TrainConfig& c) {
  torch::set_num_threads(c.threads);
  torch::manual_seed(static_cast<std::uint64_t>(c.seed));
}

// Evaluation shared by train and eval: exact hardware, the evaluation hardware, sensitivity under it.
RunMetrics evaluate_run(ApproxNet& net, const PreparedData& data, const TrainConfig& c, HardwareResolver& resolver,
                        const Progress& progress) {
  RunMetrics m;
  m.method = c.method;
  m.dataset = c.dataset;
  m.task = data.task;
  m.network = c.network;
  m.seed = c.seed;
  m.threads = c.threads;
  m.hardware_eval = c.hardware_eval;
  m.hardware_train = c.hardware_train;
  progress.status("evaluating on exact 8-bit hardware");
  m.test_error_exact = hardware_error(net, data.test, data.task,
                                      HardwareState::exact(static_cast<std::uint64_t>(c.seed)), 1, c.batch_size)
                           .mean;
  progress.status(fmt::format("evaluating on {} (memory {})", c.hardware_eval.multiplier, c.hardware_eval.memory));
  const ResolvedHardware hw = resolver.resolve(c.hardware_eval);
  const HardwareState eval_hw = hardware_state(hw, c);
  m.test_error_hw = hardware_error(net, data.test, data.task, eval_hw, c.trials, c.batch_size);
  if (c.bias_compensation) {
    progress.status("calibrating bias compensation on training data");
    m.test_error_hw_compensated =
        bias_compensated_error(net, data.train, data.test, data.task, eval_hw, c.trials, c.batch_size);
  }
  progress.status("measuring sensitivity");
  m.sensitivity = measure_sensitivity(net, data.test, data.task, eval_hw, c.batch_size);
  progress.line(fmt::format("test error: exact {:.4f}, on {} {:.4f} +- {:.4f}; sensitivity {:.4g}", m.test_error_exact,
                            c.hardware_eval.multiplier, m.test_error_hw.mean, m.test_error_hw.ci95,
                            m.sensitivity.mean));
  try {
    m.energy = uniform_network_energy(network_spec(c, data), hw.multiplier,
                                      hw.sram_voltage.value_or(c.energy.nominal_voltage), c.energy);
    progress.line(energy_line(*m.energy));
  } catch (const Error& e) {  // a lut: multiplier without an energy: the run's errors stand, its energy is unknown
    m.energy_unknown = e.what();
    progress.line("energy per inference unknown: " + m.energy_unknown);
  }
  return m;
}

}  // namespace

std::string energy_line(const NetworkEnergy& e) {
  return fmt::format(
      "energy per inference: {:.2f} nJ (multiplies {:.2f}, accumulates {:.2f}, SRAM {:.2f} nJ; multiply energy: "
      "{}), {:.1f} % less than the exact multiplier at nominal voltage",
      e.energy.total_pj / 1000, e.energy.multiply_pj / 1000, e.energy.accumulate_pj / 1000, e.energy.sram_pj / 1000,
      e.source, 100 * e.saving);
}

namespace {

TrainingSummary training_summary(const TrainConfig& c, const TrainHistory& history, const std::string& folder) {
  TrainingSummary t;
  t.epochs = c.epochs;
  t.epochs_run = static_cast<int>(history.epochs.size());
  t.best_epoch = history.best_epoch;
  t.stopped_early = history.stopped_early;
  t.train_seconds = history.seconds;
  for (const EpochStats& e : history.epochs) t.epoch_seconds.push_back(e.seconds);
  t.run_folder = folder;
  return t;
}

// The training part of a published metrics.json.
TrainingSummary published_training_summary(const std::string& metrics_path) {
  try {
    const auto j = nlohmann::json::parse(read_file(metrics_path));
    TrainingSummary t;
    t.epochs = j.at("epochs").get<int>();
    t.epochs_run = j.at("epochs_run").get<int>();
    t.best_epoch = j.at("best_epoch").get<int>();
    t.stopped_early = j.at("stopped_early").get<bool>();
    t.train_seconds = j.at("train_seconds").get<double>();
    t.epoch_seconds = j.at("epoch_seconds").get<std::vector<double>>();
    t.run_folder = j.at("run_folder").get<std::string>();
    return t;
  } catch (const nlohmann::json::exception& e) {
    AXT_FAIL("'{}' is not a metrics.json of axtrain train ({}); use --overwrite to train again", metrics_path,
             e.what());
  }
}

}  // namespace

nlohmann::json RunMetrics::to_json() const {
  nlohmann::json j = {{"method", name_of(method)},
                      {"dataset", dataset},
                      {"task", task == Task::kClassification ? "classification" : "regression"},
                      {"network", network},
                      {"seed", seed},
                      {"threads", threads},
                      {"hardware", hardware_eval.multiplier},
                      {"hardware_eval", fields_to_json(hardware_config_fields(), hardware_eval, "hardware")},
                      {"hardware_train", fields_to_json(hardware_config_fields(), hardware_train, "hardware")},
                      {"test_error_exact", test_error_exact},
                      {"test_error_hw", trial_json(test_error_hw)},
                      {"approximation_error", approximation_error()},
                      {"sensitivity_mean", sensitivity.mean},
                      {"sensitivity_per_layer", sensitivity.per_layer},
                      {"sensitivity_sample", sensitivity.sample}};
  if (test_error_hw_compensated) j["test_error_hw_compensated"] = trial_json(*test_error_hw_compensated);
  if (energy)
    j["energy"] = {{"total_pj", energy->energy.total_pj},
                   {"multiply_pj", energy->energy.multiply_pj},
                   {"accumulate_pj", energy->energy.accumulate_pj},
                   {"sram_pj", energy->energy.sram_pj},
                   {"saving", energy->saving},
                   {"multiply_source", std::string(energy->source)}};
  else
    j["energy"] = {{"unknown", energy_unknown}};
  if (training) {
    j["epochs"] = training->epochs;
    j["epochs_run"] = training->epochs_run;
    j["best_epoch"] = training->best_epoch;
    j["stopped_early"] = training->stopped_early;
    j["train_seconds"] = training->train_seconds;
    j["epoch_seconds"] = training->epoch_seconds;
    j["run_folder"] = training->run_folder;
  }
  if (!checkpoint.empty()) j["checkpoint"] = checkpoint;
  return j;
}

RunMetrics run_train(const TrainConfig& c, FolderReuse reuse, const Progress& progress) {
  set_up_torch(c);
  const std::string out =
      c.out.empty() ? fmt::format("runs/{}-{}-seed{}", c.dataset, name_of(c.method), c.seed) : c.out;
  progress.status("loading " + c.dataset);
  const PreparedData data = prepare_data(c);  // bad input fails here, before a folder exists
  if (!data.task_note.empty()) progress.line(data.task_note);
  HardwareResolver resolver;
  const ResolvedHardware train_hardware = resolver.resolve(c.hardware_train);
  auto net = make_model(network_spec(c, data));
  if (!c.init.empty()) load_checkpoint(*net, c.init);
  const RunFolder folder(out, c, "train", reuse);
  if (folder.finished()) {  // --resume of a finished run: its checkpoint, evaluated again (the same numbers)
    progress.line(fmt::format("{} holds this finished run; evaluating its checkpoint (nothing to train)", out));
    load_checkpoint(*net, folder.file("checkpoint.pt"));
    RunMetrics metrics = evaluate_run(*net, data, c, resolver, progress);
    metrics.training = published_training_summary(folder.file("metrics.json"));
    return metrics;
  }
  if (!folder.resume_state().empty()) {
    const TrainingState at = peek_training_state(folder.resume_state(), folder.file("state.pt"));
    progress.line(fmt::format("resuming {} at epoch {}/{}{}", out, std::min(at.epoch + 1, c.epochs), c.epochs,
                              at.next_batch > 0 ? fmt::format(", batch {}", at.next_batch + 1) : ""));
  }
  const InterruptGuard interrupts;
  TrainControl control;
  EpochClock clock;
  control.on_epoch = [&](const EpochStats& e) {
    progress.line(fmt::format("epoch {}/{}: loss {:.4f}{} train error {:.4f}{} ({}; {})", e.epoch, c.epochs, e.loss,
                              e.regulariser > 0 ? fmt::format(" R {:.4g}", e.regulariser) : "", e.train_error,
                              e.validation_error >= 0 ? fmt::format(" validation {:.4f}", e.validation_error) : "",
                              duration_text(e.seconds), clock.after(e.epoch, c.epochs)));
  };
  control.on_batch = [&](int epoch, int64_t batch, int64_t batches, double loss) {
    if (batch % 20 == 0)
      progress.status(fmt::format("epoch {}/{}: batch {}/{} loss {:.4f}", epoch, c.epochs, batch, batches, loss));
  };
  control.save_state = [&](const std::string& bytes) { folder.save_state(bytes); };
  control.resume_from = folder.resume_state();
  control.resume_origin = folder.file("state.pt");
  control.stop_requested = [] { return interrupt_signal() != 0; };
  const TrainHistory history = train_model(*net, data, c, train_hardware, control);
  const auto stopped = [&](const std::string& where) {
    return Interrupted(interrupt_signal(),
                       fmt::format("interrupted {}; the run is saved in {}/state.pt: continue it with the same "
                                   "command and --resume",
                                   where, out));
  };
  if (history.interrupted) throw stopped(fmt::format("in epoch {} of {}", history.epochs.size() + 1, c.epochs));
  if (interrupt_signal() != 0) throw stopped("after training, before evaluation");
  RunMetrics metrics = evaluate_run(*net, data, c, resolver, progress);
  if (interrupt_signal() != 0) throw stopped("during evaluation (training is done)");
  metrics.training = training_summary(c, history, out);
  if (!net->spec().torchscript.empty()) {  // the user's own module with the trained weights, for PyTorch
    export_torchscript(*net, net->spec().torchscript, folder.file("model.torchscript.pt"));
    progress.line(fmt::format("TorchScript model with the trained weights: {}", folder.file("model.torchscript.pt")));
  }
  folder.publish(serialize_model(*net), history_csv(history), metrics.to_json().dump(2) + "\n");
  return metrics;
}

RunMetrics run_eval(const TrainConfig& c, const std::string& checkpoint, const Progress& progress) {
  set_up_torch(c);
  const PreparedData data = prepare_data(c);
  if (!data.task_note.empty()) progress.line(data.task_note);
  auto net = make_model(network_spec(c, data));
  load_checkpoint(*net, checkpoint);
  HardwareResolver resolver;
  RunMetrics metrics = evaluate_run(*net, data, c, resolver, progress);
  metrics.checkpoint = checkpoint;
  return metrics;
}

std::string network_summary(const TrainConfig& c) {
  const PreparedData data = prepare_data(c);
  const NetworkSpec spec = network_spec(c, data);
  std::string text = fmt::format("network {} on samples {} ({} output{})\n", network_name(spec),
                                 fmt::join(spec.input_shape, "x"), spec.outputs, spec.outputs == 1 ? "" : "s");
  text += plan_summary(network_plan(spec), spec.input_shape);
  HardwareResolver resolver;
  const ResolvedHardware hw = resolver.resolve(c.hardware_eval);
  try {
    text += energy_line(uniform_network_energy(spec, hw.multiplier, hw.sram_voltage.value_or(c.energy.nominal_voltage),
                                               c.energy)) +
            "\n";
  } catch (const Error& e) {  // a lut: multiplier without an energy
    text += fmt::format("energy per inference unknown: {}\n", e.what());
  }
  return text;
}

}  // namespace axtrain
