// Runs the axtrain binary as a user would and captures its exit code, stdout and stderr.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace axtrain::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// args is appended to the binary path as shell words (quote paths yourself if they need it).
inline CliResult run_cli(const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path() / ("axt_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto out = dir / "stdout";
  const auto err = dir / "stderr";
  const std::string command =
      std::string(AXT_CLI_PATH) + " " + args + " >" + out.string() + " 2>" + err.string() + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

// Runs `args` and expects a user error: exit 2, nothing on stdout, and one stderr line "axtrain: error: ..."
// holding `fragment`.
inline void expect_user_error(const std::string& args, const std::string& fragment) {
  SCOPED_TRACE(args);
  const CliResult r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_EQ(r.err.rfind("axtrain: error: ", 0), 0u) << r.err;
}

// Runs `args`, expects exit 0 (naming stderr otherwise; with silent_stderr, also an empty stderr) and parses
// stdout as JSON.
inline nlohmann::json run_cli_json(const std::string& args, bool silent_stderr = false) {
  const CliResult r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  if (silent_stderr) {
    EXPECT_EQ(r.err, "") << args;
  }
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << args << ": stdout is not JSON (" << e.what() << "):\n" << r.out;
    return {};
  }
}

// A fresh temporary folder, removed when the object goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "axt_test_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace axtrain::test
