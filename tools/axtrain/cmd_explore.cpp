// `axtrain explore` and `axtrain reproduce`: thin wrappers over run_explore / run_reproduce.
#include "commands.h"

#include "axtrain/runs/explore_run.h"
#include "axtrain/runs/reproduce.h"
#include "axtrain/util/check.h"
#include "config_flags.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace axtrain::cli {
namespace {

void print_explore_summary(const ExploreResult& result) {
  fmt::print("{} rows ({} reused, {} of another configuration dropped); budget {:.4f}\n", result.rows.size(),
             result.resumed_points, result.dropped_rows, result.budget);
  if (const auto& best = result.analysis.overall_best)
    fmt::print("best overall: {} on {} (error {:.4f} +- {:.4f}, reference {:.4f}, {:.2f} nJ, saving {:.1f} %)\n",
               name_of(best->method), best->hardware, best->error_hw, best->ci95, best->reference_error,
               best->energy_pj / 1000, 100 * best->energy_saving);
  else
    fmt::print("best overall: no configuration meets the budget\n");
  for (const MethodAnalysis& m : result.analysis.methods) {
    if (!m.best_under_budget)
      fmt::print("{:<9} seed {}: no configuration within the budget\n", name_of(m.method), m.seed);
    else
      fmt::print("{:<9} seed {}: best {} (error {:.4f}, {:.2f} nJ, saving {:.1f} %)\n", name_of(m.method), m.seed,
                 m.best_under_budget->hardware, m.best_under_budget->error_hw, m.best_under_budget->energy_pj / 1000,
                 100 * m.best_under_budget->energy_saving);
  }
}

}  // namespace

void add_explore_commands(CLI::App& app) {
  CLI::App* explore = app.add_subcommand("explore",
                                         "Sweep multipliers x memory settings x methods x seeds: errors, "
                                         "energy, Pareto front, best configuration under a budget");
  auto flags = std::make_shared<TrainConfigFlags>(*explore);
  auto explore_progress = add_progress_option(*explore);
  explore->callback([flags, explore_progress] {
    const TrainConfig config = flags->resolve();
    const ExploreResult result = run_explore(config, Progress::make(*explore_progress, config.quiet));
    if (config.json)
      std::puts(result.to_json().dump(2).c_str());
    else
      print_explore_summary(result);
  });

  CLI::App* reproduce = app.add_subcommand("reproduce",
                                           "The paper's experiment: baseline, act, pas, axtrain on K1-K3 "
                                           "and an NTV sweep; Fashion-MNIST, inversek2j, blackscholes");
  auto options = std::make_shared<ReproduceOptions>();
  auto profile = std::make_shared<std::string>("full");
  auto quick = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  std::string profiles;
  for (std::string_view name : kReproduceProfileNames) profiles += (profiles.empty() ? "" : "|") + std::string(name);
  reproduce->add_flag("--quick", *quick,
                      "The quick profile (minutes on two cores; docs/reproduce.md); = --profile quick");
  reproduce
      ->add_option("--profile", *profile,
                   "full, quick, or tiny (seconds; for smoke tests, its numbers mean "
                   "little); docs/reproduce.md")
      ->capture_default_str()
      ->type_name(profiles);
  reproduce->add_option("--out", options->out, "Output folder (resumes what it already holds)")->capture_default_str();
  reproduce->add_option("--threads", options->threads, "CPU threads (1 to 256)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  reproduce->add_option("--seed", options->seed, "Seed")->capture_default_str()->check(CLI::NonNegativeNumber);
  reproduce->add_flag("--json", *json, "Print results.json");
  reproduce->add_flag("--quiet", *quiet, "No progress output");
  auto reproduce_progress = add_progress_option(*reproduce);
  reproduce->callback([options, profile, quick, json, quiet, reproduce_progress] {
    set_choice(choice_ref(&options->profile), *profile, "profile", "--profile");
    AXT_CHECK(!*quick || options->profile == ReproduceProfile::kFull || options->profile == ReproduceProfile::kQuick,
              "--quick and --profile {} ask for two profiles; give one of them", *profile);
    if (*quick) options->profile = ReproduceProfile::kQuick;
    const ReproduceResult result = run_reproduce(*options, Progress::make(*reproduce_progress, *quiet));
    if (*json)
      std::puts(result.to_json().dump(2).c_str());
    else
      std::fputs(reproduce_table(result.summary).c_str(), stdout);
  });
}

}  // namespace axtrain::cli
