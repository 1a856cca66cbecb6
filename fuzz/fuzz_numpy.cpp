// NumPy data (data/numpy_file.h, data/numpy_dataset.h): the input parsed as a .npy file and as an .npz archive;
// each array that parses is also made a dataset with itself as targets, classification and regression.
#include "axtrain/data/numpy_dataset.h"
#include "axtrain/data/numpy_file.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto as_dataset = [](const axtrain::NumpyArray& a) {
    std::string note;
    for (auto task : {std::optional<axtrain::Task>(), std::optional(axtrain::Task::kRegression)})
      axtrain::fuzz::expect_success_or_user_error([&] { (void)axtrain::numpy_dataset("fuzz", a, a, task, note); });
  };
  axtrain::fuzz::expect_success_or_user_error([&] { as_dataset(axtrain::parse_npy(bytes, "'fuzz.npy'")); });
  axtrain::fuzz::expect_success_or_user_error([&] {
    for (const auto& [name, array] : axtrain::parse_npz(bytes, "'fuzz.npz'")) as_dataset(array);
  });
  return 0;
}
