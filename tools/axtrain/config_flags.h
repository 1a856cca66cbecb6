// The run configuration's flags: every field of TrainConfig as --<key> (help shows the rule and the live
// default), the hardware sections' fields as --train-<key> and --eval-<key>, and --config FILE. CLI11 stays
// inside the CLI.
//
// Precedence, lowest first:
//   built-in defaults < top-level hw/memory in the file < [hardware.*] keys in the file
//   < --hw/--memory flags < --train-*/--eval-* flags
#pragma once

#include "axtrain/config/train_config.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace axtrain::cli {

// Registers the flags on `cmd`. After cmd has parsed, resolve() reads the file (if --config was given),
// applies the flags that were given on top, and validates. Holds the flag targets, so it must outlive the
// parse; movable.
class TrainConfigFlags {
 public:
  explicit TrainConfigFlags(CLI::App& cmd);
  ~TrainConfigFlags();
  TrainConfigFlags(TrainConfigFlags&&) noexcept;
  TrainConfigFlags& operator=(TrainConfigFlags&&) noexcept;

  // Throws axtrain::Error as load_train_config() and validate() do. default_config is read when --config
  // was not given ("" = start from the defaults); `axtrain eval` passes the run folder's config.toml.
  TrainConfig resolve(const std::string& default_config = "") const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// --progress auto|terminal|plain on `cmd` (util/progress.h); the string holds the choice once cmd has parsed.
std::shared_ptr<std::string> add_progress_option(CLI::App& cmd);

}  // namespace axtrain::cli
