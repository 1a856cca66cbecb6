// CSV datasets (data/csv_dataset.h) as a regression on column "y" and as a classification on column "label".
#include "axtrain/data/csv_dataset.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axtrain::fuzz::input_file(data, size, ".csv");
  axtrain::fuzz::expect_success_or_user_error(
      [&] { (void)axtrain::load_csv(path, {}, {"y"}, axtrain::Task::kRegression); });
  axtrain::fuzz::expect_success_or_user_error(
      [&] { (void)axtrain::load_csv(path, {}, {"label"}, axtrain::Task::kClassification); });
  return 0;
}
