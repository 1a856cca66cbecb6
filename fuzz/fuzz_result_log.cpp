// explore's results.jsonl (explore/result_log.h): opened (which may truncate a torn last line), then written
// as CSV.
#include "axtrain/explore/result_log.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = axtrain::fuzz::input_file(data, size, ".jsonl");
  axtrain::fuzz::expect_success_or_user_error([&] {
    const axtrain::ResultLog log = axtrain::ResultLog::open(path);
    (void)axtrain::rows_csv(log.rows());
  });
  return 0;
}
