// The run folder of `axtrain train` is one thing: one run's files, written by one process, published as a
// whole.
//   run.json       what produced it: tool, version, command and the configuration's fingerprint
//   config.toml    the effective configuration (both written when the run starts)
//   state.pt       the training state after the last finished epoch, or the step a signal stopped it at
//   checkpoint.pt  the trained model; history.csv its epochs
//   metrics.json   written last: the folder holds a finished run exactly when it exists
//   .lock          flock(2)-ed by the process writing the folder (FolderLock)
// Every file is written atomically and the folder is synced after each rename.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/util/folder_lock.h"

#include <memory>
#include <string>

namespace axtrain {

// What a run may do with a folder that already holds one.
enum class FolderReuse {
  kRefuse,     // only a missing or empty folder
  kResume,     // also the same configuration's run: continue it (or, finished, just report it)
  kOverwrite,  // also another configuration's run: its files are removed, metrics.json first
};

class RunFolder {
 public:
  // Opens `path` for a run of `config` as `command` ("train"): creates and locks it, and checks what it holds.
  // Throws axtrain::Error (one line, with the fix) when another process holds it, when it holds another
  // configuration's run (naming the first differing key) and reuse is not kOverwrite, when it holds this
  // configuration's run and reuse is kRefuse, and when it holds files that are not a run's (never removed).
  // Removes stale temporaries, and metrics.json before anything else is rewritten.
  RunFolder(std::string path, const TrainConfig& config, const std::string& command, FolderReuse reuse);

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

  // This configuration's run, finished (metrics.json present; only with kResume).
  bool finished() const { return finished_; }
  // The saved training state to continue from ("" for a fresh run).
  const std::string& resume_state() const { return resume_state_; }

  void save_state(const std::string& bytes) const;
  // Publishes the results: checkpoint.pt and history.csv, then metrics.json last; then removes state.pt.
  void publish(const std::string& checkpoint, const std::string& history_csv, const std::string& metrics_json) const;

 private:
  std::string path_;
  std::unique_ptr<FolderLock> lock_;
  bool finished_ = false;
  std::string resume_state_;
};

}  // namespace axtrain
