#include "axtrain/runs/run_folder.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"
#include "axtrain/util/version.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace axtrain {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRunFiles[] = {
    "metrics.json", "checkpoint.pt", "history.csv",
    "state.pt",     "config.toml",   "run.json"};  // metrics.json first: a folder is unpublished before it changes

bool is_run_file(const std::string& name) {
  if (name == ".lock") return true;
  for (const char* f : kRunFiles)
    if (name == f) return true;
  return false;
}

void remove_run_files(const std::string& dir) {
  for (const char* f : kRunFiles) {
    std::error_code ec;
    fs::remove(dir + "/" + f, ec);
    AXT_CHECK(!ec, "cannot remove '{}/{}': {}; check the folder's permissions", dir, f, ec.message());
    sync_directory(dir);
  }
}

// The fingerprint recorded in run.json, or "" when the file is missing or unreadable.
std::string recorded_fingerprint(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir + "/run.json", ec)) return "";
  try {
    const auto j = nlohmann::json::parse(read_file(dir + "/run.json"));
    return j.value("fingerprint", "");
  } catch (const std::exception&) {
    return "";
  }
}

// "key = A (here) vs B (there)" against the folder's config.toml, or a plainer sentence when it is unreadable.
std::string difference_from(const std::string& dir, const TrainConfig& config) {
  if (recorded_fingerprint(dir).empty())
    return "it has no readable run.json: an older axtrain or another tool wrote it";
  try {
    std::string d = first_difference(config, read_train_config(dir + "/config.toml"));
    if (!d.empty()) return d;
  } catch (const Error&) {
  }
  return "its config.toml is missing or unreadable";
}

}  // namespace

RunFolder::RunFolder(std::string path, const TrainConfig& config, const std::string& command, FolderReuse reuse)
    : path_(std::move(path)) {
  std::error_code ec;
  const fs::file_status status = fs::status(path_, ec);
  AXT_CHECK(!fs::exists(status) || fs::is_directory(status),
            "--out '{}' is a file, not a folder; give a folder path (it is created if missing)", path_);
  fs::create_directories(path_, ec);
  AXT_CHECK(!ec, "cannot create the run folder '{}': {}; choose a writable --out", path_, ec.message());
  lock_ = std::make_unique<FolderLock>(path_, "axtrain " + command);
  remove_stale_temporaries(path_);

  std::vector<std::string> foreign;
  bool holds_run = false;
  for (const auto& entry : fs::directory_iterator(path_, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_run_file(name))
      holds_run = holds_run || name != ".lock";
    else
      foreign.push_back(name);
  }
  AXT_CHECK(foreign.empty(),
            "--out '{}' holds files that are not an axtrain run's (such as '{}'); choose an empty or new folder", path_,
            printable(foreign.front()));
  const std::string fingerprint = config_fingerprint(config);
  if (holds_run) {
    const bool same = recorded_fingerprint(path_) == fingerprint;
    const bool done = fs::exists(file("metrics.json"), ec);
    if (!same) {
      AXT_CHECK(reuse == FolderReuse::kOverwrite,
                "run folder '{}' holds a run of another configuration ({}); use another --out, or --overwrite to "
                "replace it",
                path_, difference_from(path_, config));
    } else if (reuse == FolderReuse::kRefuse) {
      AXT_FAIL(
          "run folder '{}' already holds {} run of this configuration; add --resume to {}, --overwrite to "
          "train again, or use another --out",
          path_, done ? "a finished" : "an unfinished", done ? "report it" : "continue it");
    }
    if (same && reuse == FolderReuse::kResume) {
      finished_ = done;
      if (!finished_ && fs::exists(file("state.pt"), ec)) resume_state_ = read_file(file("state.pt"));
    } else {
      remove_run_files(path_);
    }
  }
  if (finished_) return;
  write_file_atomic(file("config.toml"), to_toml(config));
  const nlohmann::json run = {
      {"tool", "axtrain"}, {"version", kToolVersion}, {"command", command}, {"fingerprint", fingerprint}};
  write_file_atomic(file("run.json"), run.dump(2) + "\n");
}

void RunFolder::save_state(const std::string& bytes) const {
  write_file_atomic(file("state.pt"), bytes);
}

void RunFolder::publish(const std::string& checkpoint, const std::string& history_csv,
                        const std::string& metrics_json) const {
  write_file_atomic(file("checkpoint.pt"), checkpoint);
  write_file_atomic(file("history.csv"), history_csv);
  write_file_atomic(file("metrics.json"), metrics_json);
  std::error_code ec;
  fs::remove(file("state.pt"), ec);  // a leftover would only be ignored: a finished run is never resumed
  sync_directory(path_);
}

}  // namespace axtrain
