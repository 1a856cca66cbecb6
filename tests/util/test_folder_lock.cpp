// One writer per folder: a second lock on a held folder is refused naming the holder; a released one is free.
#include "axtrain/util/folder_lock.h"

#include "../support/run_cli.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include <unistd.h>

namespace axtrain {
namespace {

TEST(FolderLock, ASecondHolderIsRefusedNamingTheFirst) {
  test::TempDir dir;
  std::optional<FolderLock> first;
  first.emplace(dir.file(""), "axtrain train");
  try {
    FolderLock second(dir.file(""), "axtrain explore");
    ADD_FAILURE() << "the second lock was granted";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("in use by process " + std::to_string(::getpid()) + " (axtrain train)"), std::string::npos)
        << what;
  }
  first.reset();
  EXPECT_NO_THROW(FolderLock again(dir.file(""), "axtrain train"));
}

TEST(FolderLock, AMissingFolderIsAUserError) {
  test::TempDir dir;
  EXPECT_THROW(FolderLock(dir.file("no/such"), "axtrain train"), Error);
}

}  // namespace
}  // namespace axtrain
