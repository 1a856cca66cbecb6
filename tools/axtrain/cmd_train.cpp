// `axtrain train` and `axtrain eval`: thin wrappers over run_train / run_eval (runs/train_run.h).
#include "commands.h"

#include "axtrain/runs/train_run.h"
#include "axtrain/util/check.h"
#include "config_flags.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace axtrain::cli {
namespace {

void print_summary(const RunMetrics& m) {
  const TrialStats& hw = m.test_error_hw;
  fmt::print("method                {}\n", name_of(m.method));
  fmt::print("dataset               {}\n", m.dataset);
  fmt::print("task                  {}\n", m.task == Task::kClassification
                                               ? "classification (error = share of test samples misclassified)"
                                               : "regression (error = mean absolute error, targets scaled to [0, 1])");
  fmt::print("hardware              {} (memory {})\n", m.hardware_eval.multiplier, m.hardware_eval.memory);
  fmt::print("test error, exact     {:.4f}\n", m.test_error_exact);
  fmt::print("test error, hardware  {:.4f} +- {:.4f} (95 % CI, {} trial{})\n", hw.mean, hw.ci95, hw.trials,
             hw.trials == 1 ? "" : "s");
  if (m.test_error_hw_compensated) fmt::print("  bias-compensated    {:.4f}\n", m.test_error_hw_compensated->mean);
  fmt::print("sensitivity mean      {:.6g}\n", m.sensitivity.mean);
  if (m.training) {
    fmt::print("train time            {:.1f} s\n", m.training->train_seconds);
    fmt::print("run folder            {}\n", m.training->run_folder);
  }
}

void print_result(const RunMetrics& metrics, bool json) {
  if (json)
    std::puts(metrics.to_json().dump(2).c_str());
  else
    print_summary(metrics);
}

}  // namespace

void add_train_commands(CLI::App& app) {
  CLI::App* train = app.add_subcommand("train",
                                       "Train a network for approximate hardware: methods baseline, pas "
                                       "(AxTrain-pas), act (AxTrain-act), axtrain (both)");
  auto train_flags = std::make_shared<TrainConfigFlags>(*train);
  auto train_progress = add_progress_option(*train);
  auto resume = std::make_shared<bool>(false), overwrite = std::make_shared<bool>(false);
  train->add_flag("--resume", *resume,
                  "Continue the run in --out (stopped by a signal, a kill or a crash) with the same configuration; "
                  "a finished one is evaluated again");
  train->add_flag("--overwrite", *overwrite, "Replace the run in --out, even one of another configuration");
  auto summary = std::make_shared<bool>(false);
  train->add_flag("--summary", *summary,
                  "Print the network's layers, output shapes, parameters and MACs on this dataset, and its energy per "
                  "inference on the evaluation hardware; train nothing");
  train->callback([train_flags, resume, overwrite, summary, train_progress] {
    AXT_CHECK(!(*resume && *overwrite), "--resume and --overwrite exclude each other; give one of them");
    const TrainConfig config = train_flags->resolve();
    if (*summary) {
      std::fputs(network_summary(config).c_str(), stdout);
      return;
    }
    const FolderReuse reuse = *resume      ? FolderReuse::kResume
                              : *overwrite ? FolderReuse::kOverwrite
                                           : FolderReuse::kRefuse;
    print_result(run_train(config, reuse, Progress::make(*train_progress, config.quiet)), config.json);
  });

  CLI::App* eval = app.add_subcommand("eval",
                                      "Evaluate a trained checkpoint on a hardware configuration "
                                      "(its run folder's config.toml, overridden by the flags)");
  auto model = std::make_shared<std::string>();
  eval->add_option("--model", *model, "Checkpoint written by `axtrain train` (RUN/checkpoint.pt)")->required();
  auto eval_flags = std::make_shared<TrainConfigFlags>(*eval);
  auto eval_progress = add_progress_option(*eval);
  eval->callback([model, eval_flags, eval_progress] {
    const std::filesystem::path run_config = std::filesystem::path(*model).parent_path() / "config.toml";
    AXT_CHECK(std::filesystem::exists(*model),
              "checkpoint '{}' does not exist; give RUN/checkpoint.pt of a run "
              "written by axtrain train",
              *model);
    AXT_CHECK(std::filesystem::exists(run_config),
              "'{}' is missing next to the checkpoint; eval rebuilds the model "
              "from it (or give --config FILE)",
              run_config.string());
    const TrainConfig config = eval_flags->resolve(run_config.string());
    print_result(run_eval(config, *model, Progress::make(*eval_progress, config.quiet)), config.json);
  });
}

}  // namespace axtrain::cli
