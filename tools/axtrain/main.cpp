// axtrain: train neural networks for approximate inference hardware (see README.md).
// Exit codes: 0 success; 2 bad input or configuration (one line: value, rule, fix); 1 internal error;
// 128 + signal after SIGINT or SIGTERM stopped a run that saved its state (the line says how to resume).
#include "commands.h"

#include "axtrain/util/check.h"
#include "axtrain/util/interrupt.h"
#include "axtrain/util/text.h"
#include "axtrain/util/version.h"

#include <c10/util/Exception.h>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <new>
#include <string>

namespace {

// The deepest subcommand that was being parsed, and its path such as "axtrain hw show".
std::pair<const CLI::App*, std::string> current_command(const CLI::App& app) {
  std::string path = app.get_name();
  const CLI::App* current = &app;
  while (!current->get_subcommands().empty()) {
    current = current->get_subcommands().front();
    path += " " + current->get_name();
  }
  return {current, path};
}

// One line for a parse error; an unknown subcommand names the known ones.
std::string parse_error_line(const CLI::App& app, const CLI::ParseError& e) {
  const auto [command, path] = current_command(app);
  const std::vector<std::string> extra = command->remaining();
  const auto subcommands = command->get_subcommands([](const CLI::App*) { return true; });
  if (!extra.empty() && !subcommands.empty()) {
    std::string known;
    for (const CLI::App* sub : subcommands) known += (known.empty() ? "" : ", ") + sub->get_name();
    return fmt::format("'{}' is not a command of '{}'; known: {}", extra.front(), path, known);
  }
  return fmt::format("{}; run '{} --help' for usage", e.what(), path);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"AxTrain: hardware-aware training for approximate multipliers and low-voltage memory", "axtrain"};
  app.set_version_flag("--version", axtrain::kToolVersion);
  app.require_subcommand(1);
  axtrain::cli::add_train_commands(app);
  axtrain::cli::add_explore_commands(app);
  axtrain::cli::add_hw_command(app);
  axtrain::cli::add_bench_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "axtrain: error: %s\n", parse_error_line(app, e).c_str());
    return 2;
  } catch (const axtrain::Interrupted& e) {
    std::fprintf(stderr, "axtrain: %s\n", e.what());
    return 128 + e.signal();
  } catch (const axtrain::Error& e) {
    std::fprintf(stderr, "axtrain: error: %s\n", e.what());
    return 2;
  } catch (const c10::Error& e) {  // libtorch: its first line, never its frames
    const std::string first = axtrain::first_line(e.what_without_backtrace());
    if (first.find("not enough memory") != std::string::npos) {
      std::fprintf(stderr, "axtrain: error: out of memory (%s); lower batch_size or the hidden sizes\n", first.c_str());
      return 2;
    }
    std::fprintf(stderr, "axtrain: internal error (libtorch): %s\n", first.c_str());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "axtrain: error: out of memory; lower batch_size or the hidden sizes, or free memory\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "axtrain: internal error: %s\n", axtrain::first_line(e.what()).c_str());
    return 1;
  }
  return 0;
}
