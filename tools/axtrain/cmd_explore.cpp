// `axtrain explore` and `axtrain reproduce`: thin wrappers over run_explore / run_reproduce.
#include "commands.h"

#include "axtrain/config/train_config.h"
#include "axtrain/train/explore_run.h"
#include "axtrain/train/reproduce.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace axtrain::cli {
namespace {

void print_reproduce_summary(const nlohmann::json& results) {
  fmt::print("{:<14} {:<4} {:>12} {:>8} {:>10} {:>10} {:>10} {:>8}\n", "dataset", "hw", "sens.red act", "paper",
             "err.red pas", "act", "axtrain", "paper");
  for (const auto& s : results["summary"])
    fmt::print("{:<14} {:<4} {:>11.1f}% {:>7.2f}% {:>10.1f}% {:>9.1f}% {:>9.1f}% {:>7.2f}%\n",
               s["dataset"].get<std::string>(), s["hardware"].get<std::string>(),
               100 * s.value("sensitivity_reduction_act", 0.0), 100 * s["paper_sensitivity_reduction_act"].get<double>(),
               100 * s.value("error_reduction_pas", 0.0), 100 * s.value("error_reduction_act", 0.0),
               100 * s.value("error_reduction_axtrain", 0.0), 100 * s["paper_error_reduction_axtrain"].get<double>());
}

void print_explore_summary(const nlohmann::json& results) {
  fmt::print("{} points ({} reused); budget {:.4f}\n", results["rows"].size(), results["resumed_points"].get<int>(),
             results["budget"].get<double>());
  for (const auto& m : results["analysis"]["methods"]) {
    const auto& best = m["best_under_budget"];
    if (best.is_null())
      fmt::print("{:<9} seed {}: no configuration within the budget\n", m["method"].get<std::string>(), m["seed"].get<int>());
    else
      fmt::print("{:<9} seed {}: best {} (error {:.4f}, {:.2f} nJ, saving {:.1f} %)\n", m["method"].get<std::string>(),
                 m["seed"].get<int>(), best["hardware"].get<std::string>(), best["error_hw"].get<double>(),
                 best["energy_pj"].get<double>() / 1000, 100 * best["energy_saving"].get<double>());
  }
}

}  // namespace

void add_explore_commands(CLI::App& app) {
  CLI::App* explore = app.add_subcommand("explore", "Sweep multipliers x memory settings x methods x seeds: errors, "
                                                    "energy, Pareto front, best configuration under a budget");
  auto flags = std::make_shared<TrainConfigFlags>(*explore);
  explore->callback([flags] {
    const TrainConfig config = flags->resolve();
    const nlohmann::json results = run_explore(config, Progress::for_terminal(config.quiet));
    if (config.json)
      std::puts(results.dump(2).c_str());
    else
      print_explore_summary(results);
  });

  CLI::App* reproduce = app.add_subcommand("reproduce", "The paper's experiment: baseline, act, pas, axtrain on K1-K3 "
                                                        "and an NTV sweep; Fashion-MNIST, inversek2j, blackscholes");
  auto options = std::make_shared<ReproduceOptions>();
  auto json = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  reproduce->add_flag("--quick", options->quick, "The quick profile (minutes on two cores; docs/reproduce.md)");
  reproduce->add_option("--out", options->out, "Output folder (resumes what it already holds)")->capture_default_str();
  reproduce->add_option("--threads", options->threads, "CPU threads")->capture_default_str()->check(CLI::PositiveNumber);
  reproduce->add_option("--seed", options->seed, "Seed")->capture_default_str()->check(CLI::NonNegativeNumber);
  reproduce->add_flag("--json", *json, "Print results.json");
  reproduce->add_flag("--quiet", *quiet, "No progress output");
  reproduce->callback([options, json, quiet] {
    const nlohmann::json results = run_reproduce(*options, Progress::for_terminal(*quiet));
    if (*json)
      std::puts(results.dump(2).c_str());
    else
      print_reproduce_summary(results);
  });
}

}  // namespace axtrain::cli
