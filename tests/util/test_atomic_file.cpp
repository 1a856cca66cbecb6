#include "axtrain/util/atomic_file.h"

#include "../support/run_cli.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace axtrain {
namespace {

TEST(AtomicFile, WritesReplacesAndLeavesNoTemporaryFiles) {
  test::TempDir dir;
  const std::string path = dir.file("out.txt");
  write_file_atomic(path, "first");
  write_file_atomic(path, std::string("second\0binary", 13));
  EXPECT_EQ(read_file(path), std::string("second\0binary", 13));
  int files = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    ++files;
  EXPECT_EQ(files, 1);
}

TEST(AtomicFile, UnwritableOrMissingPathsAreUserErrors) {
  test::TempDir dir;
  EXPECT_THROW(write_file_atomic(dir.file("no/such/folder/out.txt"), "x"), Error);
  EXPECT_THROW(read_file(dir.file("missing.txt")), Error);
  EXPECT_THROW(read_file(std::filesystem::temp_directory_path().string()), Error);  // a folder
}

// The message says what the path is, so the user knows what to fix.
std::string error_of(const std::string& path) {
  try {
    read_file(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(AtomicFile, ReadErrorsSayWhatThePathIs) {
  test::TempDir dir;
  EXPECT_NE(error_of(dir.file("missing.txt")).find("no such file"), std::string::npos);
  std::filesystem::create_directories(dir.file("folder"));
  EXPECT_NE(error_of(dir.file("folder")).find("it is a folder"), std::string::npos);
  EXPECT_NE(error_of("/dev/zero").find("not a regular file"), std::string::npos);
}

TEST(AtomicFile, StaleTemporariesAreRemovedAndNothingElse) {
  test::TempDir dir;
  for (const char* name : {"a.pt.tmp.Xy12Z9", "metrics.json.tmp.000000", "keep.tmp.short", "keep.txt"})
    write_file_atomic(dir.file(name), "x");
  EXPECT_EQ(remove_stale_temporaries(dir.file("")), 2);
  EXPECT_FALSE(std::filesystem::exists(dir.file("a.pt.tmp.Xy12Z9")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("keep.tmp.short")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("keep.txt")));
}

}  // namespace
}  // namespace axtrain
