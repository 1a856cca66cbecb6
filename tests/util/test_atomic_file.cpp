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

}  // namespace
}  // namespace axtrain
