#include "axtrain/train/checkpoint.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

#include <torch/serialize.h>

#include <sstream>

namespace axtrain {

std::string serialize_model(ApproxNet& net) {
  std::ostringstream out;
  torch::serialize::OutputArchive archive;
  net.save(archive);
  archive.save_to(out);
  return out.str();
}

void deserialize_model(ApproxNet& net, const std::string& bytes, const std::string& origin) {
  std::istringstream in(bytes);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    net.load(archive);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    AXT_FAIL(
        "checkpoint '{}' does not fit the configured model ({}); check that its folder's config.toml is the "
        "one it was trained with",
        origin, what.substr(0, what.find('\n')));
  }
}

void save_checkpoint(ApproxNet& net, const std::string& path) {
  write_file_atomic(path, serialize_model(net));
}

void load_checkpoint(ApproxNet& net, const std::string& path) {
  deserialize_model(net, read_file(path), path);
}

}  // namespace axtrain
