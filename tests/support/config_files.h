// Helpers for tests of the run configuration: temporary config files and field-by-field comparison.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace axtrain::test {

// Writes `content` to a file under the gtest temp folder and returns its path.
inline std::string write_temp(const std::string& name, const std::string& content) {
  const std::string path = (std::filesystem::path(testing::TempDir()) / ("config_" + name)).string();
  write_file_atomic(path, content);
  return path;
}

// Compares two configs field by field through the tables, so a failure names the field.
inline void expect_same_config(const TrainConfig& a, const TrainConfig& b) {
  for (const auto& field : train_config_fields())
    EXPECT_EQ(format_field(field, a), format_field(field, b)) << field.name;
  for (const auto& field : hardware_config_fields()) {
    EXPECT_EQ(format_field(field, a.hardware_train), format_field(field, b.hardware_train)) << "train " << field.name;
    EXPECT_EQ(format_field(field, a.hardware_eval), format_field(field, b.hardware_eval)) << "eval " << field.name;
  }
  for (const auto& field : energy_config_fields())
    EXPECT_EQ(format_field(field, a.energy), format_field(field, b.energy)) << "energy " << field.name;
  EXPECT_EQ(a.energy.multiply_pj, b.energy.multiply_pj);
  EXPECT_TRUE(a == b);
}

}  // namespace axtrain::test
