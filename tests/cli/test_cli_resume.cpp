// A run folder is one thing, and nothing is lost: `axtrain train` killed (SIGKILL) at several points or stopped
// by SIGTERM continues with --resume to the numbers of a run that was never stopped; a second writer, another
// configuration, a file or a foreign folder as --out are refused with exit 2.
#include "../support/run_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace axtrain::test {
namespace {

namespace fs = std::filesystem;

// About a second per epoch in the release build: slow enough to be stopped at a chosen point.
const std::string kRun =
    "train --dataset sobel --kernel_samples 8000 --hidden 32,32 --epochs 3 --batch_size 32 --method pas --hw K3 "
    "--memory ber:1e-3 --trials 2 --threads 2 --quiet --json";

// The CLI started in the background; its stdout and stderr go to files beside `out`.
class Child {
 public:
  explicit Child(const std::string& args, const std::string& log) : log_(log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string command =
          "exec " + std::string(AXT_CLI_PATH) + " " + args + " >" + log + ".out 2>" + log + ".err </dev/null";
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  void signal(int s) const { ::kill(pid_, s); }
  bool running() {
    if (waited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      waited_ = true;
      status_ = status;
      return false;
    }
    return true;
  }
  int wait() {  // the exit code, or 128 + the signal that ended it
    if (!waited_) ::waitpid(pid_, &status_, 0), waited_ = true;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  }
  std::string err() const { return slurp(log_ + ".err"); }

 private:
  std::string log_;
  pid_t pid_ = -1;
  bool waited_ = false;
  int status_ = 0;
};

ino_t inode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Waits until `path` has been (re)written `writes` times (each atomic write gives it a new inode) while
// `child` runs; false if the child ended first.
bool wait_for_writes(Child& child, const std::string& path, int writes) {
  ino_t last = 0;
  int seen = 0;
  while (child.running()) {
    const ino_t now = inode_of(path);
    if (now != 0 && now != last) {
      last = now;
      if (++seen >= writes) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// metrics.json without the wall times and the folder's name.
nlohmann::json numbers_of(const std::string& folder) {
  nlohmann::json m = nlohmann::json::parse(slurp(folder + "/metrics.json"));
  for (const char* key : {"train_seconds", "epoch_seconds", "run_folder"}) m.erase(key);
  return m;
}

// history.csv without its seconds column.
std::string history_without_seconds(const std::string& folder) {
  std::istringstream in(slurp(folder + "/history.csv"));
  std::string line, out;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

class CliResume : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    reference_ = new TempDir;
    const CliResult r = run_cli(kRun + " --out " + reference_->file("run"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete reference_; }

  void expect_same_as_reference(const std::string& folder) {
    const std::string ref = reference_->file("run");
    EXPECT_TRUE(slurp(folder + "/checkpoint.pt") == slurp(ref + "/checkpoint.pt")) << "the weights differ";
    EXPECT_EQ(numbers_of(folder), numbers_of(ref));
    EXPECT_EQ(history_without_seconds(folder), history_without_seconds(ref));
    EXPECT_FALSE(fs::exists(folder + "/state.pt")) << "a published run keeps no state";
  }

  static TempDir* reference_;
};
TempDir* CliResume::reference_ = nullptr;

TEST_F(CliResume, KilledAtSeveralPointsResumesToTheNumbersOfAnUninterruptedRun) {
  TempDir dir;
  // Before the first state (the folder was just set up), after the first epoch, after the second.
  const std::vector<std::pair<std::string, int>> points = {{"run.json", 1}, {"state.pt", 1}, {"state.pt", 2}};
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& [file, writes] = points[i];
    SCOPED_TRACE("killed after " + file + " was written " + std::to_string(writes) + " time(s)");
    const std::string out = dir.file("run" + std::to_string(i));
    Child child(kRun + " --out " + out, dir.file("log" + std::to_string(i)));
    ASSERT_TRUE(wait_for_writes(child, out + "/" + file, writes)) << "the run ended first: " << child.err();
    child.signal(SIGKILL);
    EXPECT_EQ(child.wait(), 128 + SIGKILL);
    EXPECT_FALSE(fs::exists(out + "/metrics.json"));
    const CliResult again = run_cli(kRun + " --out " + out);
    EXPECT_EQ(again.exit_code, 2) << "an unfinished run is not silently restarted";
    EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
    const CliResult resumed = run_cli(kRun + " --resume --out " + out);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    expect_same_as_reference(out);
  }
}

TEST_F(CliResume, SigtermSavesTheStepAndSaysHowToResume) {
  TempDir dir;
  const std::string out = dir.file("run");
  Child child(kRun + " --out " + out, dir.file("log"));
  ASSERT_TRUE(wait_for_writes(child, out + "/state.pt", 1)) << child.err();
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // inside the second epoch
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(), 128 + SIGTERM);
  const std::string err = child.err();
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
  EXPECT_NE(err.find("--resume"), std::string::npos) << err;
  EXPECT_TRUE(fs::exists(out + "/state.pt"));
  EXPECT_FALSE(fs::exists(out + "/metrics.json"));
  const CliResult resumed = run_cli(kRun + " --resume --out " + out);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_same_as_reference(out);
  // A finished run: --resume reports it again (the same numbers) and writes nothing.
  const auto before = fs::last_write_time(out + "/metrics.json");
  const CliResult report = run_cli(kRun + " --resume --out " + out);
  ASSERT_EQ(report.exit_code, 0) << report.err;
  nlohmann::json reported = nlohmann::json::parse(report.out);
  for (const char* key : {"train_seconds", "epoch_seconds", "run_folder"}) reported.erase(key);
  EXPECT_EQ(reported, numbers_of(out));
  EXPECT_EQ(fs::last_write_time(out + "/metrics.json"), before);
}

TEST_F(CliResume, ASecondWriterIsRefusedAndTheFolderStaysTheFirstsAlone) {
  TempDir dir;
  const std::string out = dir.file("run");
  // Long enough (30 epochs) to be still running when the second process, which loads its data first, arrives.
  std::string longer = kRun;
  longer.replace(longer.find("--epochs 3 "), 11, "--epochs 30 ");
  Child first(longer + " --out " + out, dir.file("log"));
  ASSERT_TRUE(wait_for_writes(first, out + "/run.json", 1)) << first.err();
  const std::string run_json = slurp(out + "/run.json");
  const CliResult second = run_cli(kRun + " --seed 7 --out " + out);
  ASSERT_TRUE(first.running()) << "the first run ended before the second arrived: " << first.err();
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_NE(second.err.find("in use by process"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("axtrain train"), std::string::npos) << second.err;
  EXPECT_EQ(second.out, "");
  first.signal(SIGKILL);
  first.wait();
  EXPECT_EQ(slurp(out + "/run.json"), run_json) << "the second process wrote into the folder";
  EXPECT_NE(slurp(out + "/config.toml").find("epochs = 30\n"), std::string::npos);
  EXPECT_NE(slurp(out + "/config.toml").find("seed = 1\n"), std::string::npos);
}

TEST(CliExploreResume, KilledWhileTrainingAModelContinuesItToTheSameRows) {
  TempDir dir;
  const std::string sweep =
      "explore --dataset sobel --kernel_samples 8000 --hidden 32,32 --epochs 3 --finetune_epochs 1 --batch_size 32 "
      "--sweep_multipliers K3 --sweep_memories none --sweep_methods baseline,pas --hw K3 --threads 2 --quiet --json "
      "--out ";
  const nlohmann::json whole = run_cli_json(sweep + dir.file("whole"));
  std::string base;  // the base model's file stem: "sobel-base-seed1-" and its fingerprint
  for (const auto& entry : fs::directory_iterator(dir.file("whole") + "/models")) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("sobel-base-seed1-") && name.ends_with(".pt"))
      base = "/models/" + name.substr(0, name.size() - 3);
  }
  ASSERT_FALSE(base.empty()) << "no base model in the uninterrupted run's store";
  const std::string out = dir.file("killed");
  {
    Child child(sweep + out, dir.file("log"));
    ASSERT_TRUE(wait_for_writes(child, out + base + ".state.pt", 1)) << child.err();
    child.signal(SIGKILL);
    EXPECT_EQ(child.wait(), 128 + SIGKILL);
  }
  ASSERT_FALSE(fs::exists(out + base + ".pt")) << "killed after the base model was finished";
  const nlohmann::json resumed = run_cli_json(sweep + out);
  EXPECT_EQ(resumed["rows"], whole["rows"]);
  EXPECT_TRUE(slurp(out + base + ".pt") == slurp(dir.file("whole") + base + ".pt"))
      << "the base model's weights differ";
  EXPECT_FALSE(fs::exists(out + base + ".state.pt"));
}

TEST(CliRunFolder, AnotherConfigurationIsRefusedNamingTheDifferenceUnlessOverwritten) {
  TempDir dir;
  const std::string small = "train --dataset sobel --kernel_samples 600 --hidden 8 --batch_size 32 --quiet --json";
  const std::string out = dir.file("run");
  ASSERT_EQ(run_cli(small + " --epochs 2 --out " + out).exit_code, 0);
  const CliResult other = run_cli(small + " --epochs 3 --out " + out);
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("epochs = 3 (here) vs 2 (there)"), std::string::npos) << other.err;
  EXPECT_NE(other.err.find("--overwrite"), std::string::npos) << other.err;
  const CliResult same = run_cli(small + " --epochs 2 --out " + out);
  EXPECT_EQ(same.exit_code, 2) << "a finished run is not silently retrained";
  EXPECT_NE(same.err.find("finished"), std::string::npos) << same.err;
  const CliResult replaced = run_cli(small + " --epochs 3 --overwrite --out " + out);
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(out + "/metrics.json"))["epochs"], 3);
  EXPECT_EQ(run_cli(small + " --resume --overwrite --out " + out).exit_code, 2);
  // Where the output is shown does not change the run: --quiet and --json are not part of its identity.
  EXPECT_EQ(run_cli("train --dataset sobel --kernel_samples 600 --hidden 8 --batch_size 32 --epochs 3 --resume "
                    "--out " +
                    out)
                .exit_code,
            0);
}

TEST(CliRunFolder, AFileAForeignFolderAndStaleTemporariesAreHandled) {
  TempDir dir;
  const std::string small = "train --dataset sobel --kernel_samples 600 --hidden 8 --epochs 1 --quiet --json";
  { std::ofstream(dir.file("file")) << "x"; }
  const CliResult file = run_cli(small + " --out " + dir.file("file"));
  EXPECT_EQ(file.exit_code, 2);
  EXPECT_NE(file.err.find("is a file, not a folder"), std::string::npos) << file.err;
  fs::create_directories(dir.file("mine"));
  { std::ofstream(dir.file("mine") + "/notes.txt") << "keep me"; }
  const CliResult foreign = run_cli(small + " --overwrite --out " + dir.file("mine"));
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_NE(foreign.err.find("notes.txt"), std::string::npos) << foreign.err;
  EXPECT_EQ(slurp(dir.file("mine") + "/notes.txt"), "keep me");
  fs::create_directories(dir.file("run"));
  { std::ofstream(dir.file("run") + "/metrics.json.tmp.Ab12Cd") << "half"; }
  ASSERT_EQ(run_cli(small + " --out " + dir.file("run")).exit_code, 0);
  EXPECT_FALSE(fs::exists(dir.file("run") + "/metrics.json.tmp.Ab12Cd"));
}

}  // namespace
}  // namespace axtrain::test
