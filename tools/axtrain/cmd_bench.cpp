// `axtrain bench`: kernel and epoch speed as ratios measured in one run (runs/bench.h).
#include "axtrain/runs/bench.h"
#include "commands.h"
#include "config_flags.h"

#include <cstdio>
#include <memory>

namespace axtrain::cli {

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand(
      "bench",
      "Speed of every approximate GEMM path at the real layer shapes and of one training epoch per method, "
      "as ratios to baselines timed in the same run");
  auto options = std::make_shared<BenchOptions>();
  auto json = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto no_kernels = std::make_shared<bool>(false);
  auto no_epochs = std::make_shared<bool>(false);
  bench->add_option("--threads", options->threads, "CPU threads for every measurement")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  bench->add_option("--min_time,--min-time", options->min_seconds, "Seconds each kernel is repeated for")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60.0));
  bench->add_flag("--quick", options->quick, "Two shapes and 2,000-row MLP epochs only (seconds; a first look)");
  bench->add_flag("--no_kernels,--no-kernels", *no_kernels, "Skip the kernel comparisons");
  bench->add_flag("--no_epochs,--no-epochs", *no_epochs, "Skip the training epochs");
  bench->add_flag("--json", *json, "Print a JSON list of measurements");
  bench->add_flag("--quiet", *quiet, "No progress output");
  auto progress = add_progress_option(*bench);
  bench->callback([options, json, quiet, no_kernels, no_epochs, progress] {
    options->kernels = !*no_kernels;
    options->epochs = !*no_epochs;
    const BenchResult result = run_bench(*options, Progress::make(*progress, *quiet));
    if (*json)
      std::puts(result.to_json().dump(2).c_str());
    else
      std::fputs(result.table().c_str(), stdout);
  });
}

}  // namespace axtrain::cli
