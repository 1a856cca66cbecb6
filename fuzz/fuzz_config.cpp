// TOML run configurations (config/train_config.h): read, validated, written back and read again. A valid
// configuration must survive its own round trip unchanged.
#include "axtrain/config/train_config.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axtrain::fuzz::input_file(data, size, ".toml");
  axtrain::fuzz::expect_success_or_user_error([&] {
    const axtrain::TrainConfig config = axtrain::load_train_config(path);
    const std::string toml = axtrain::to_toml(config);
    const std::string again =
        axtrain::fuzz::input_file(reinterpret_cast<const std::uint8_t*>(toml.data()), toml.size(), ".toml");
    if (axtrain::to_toml(axtrain::load_train_config(again)) != toml) std::abort();
  });
  return 0;
}
