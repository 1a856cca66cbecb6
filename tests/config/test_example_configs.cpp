// Every example under configs/ loads and validates, so the documentation cannot rot.
#include "axtrain/config/train_config.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace axtrain {
namespace {

TEST(ExampleConfigs, EveryFileLoadsAndValidates) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(AXT_SOURCE_DIR) / "configs")) {
    if (entry.path().extension() != ".toml") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(load_train_config(entry.path().string()));
    ++files;
  }
  EXPECT_GE(files, 8);
}

}  // namespace
}  // namespace axtrain
