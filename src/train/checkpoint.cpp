#include "axtrain/train/checkpoint.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"
#include "axtrain/util/zip_archive.h"

#include <torch/serialize.h>

#include <fmt/ranges.h>

#include <sstream>
#include <utility>
#include <vector>

namespace axtrain {

std::string serialize_model(ApproxNet& net) {
  std::ostringstream out;
  torch::serialize::OutputArchive archive;
  net.save(archive);
  archive.save_to(out);
  return out.str();
}

namespace {

std::string shape_text(c10::IntArrayRef sizes) {
  return fmt::format("[{}]", fmt::join(sizes, ", "));
}

std::string network_text(const NetworkSpec& spec) {
  return fmt::format("{} on input {}, {} output{}", network_name(spec), fmt::join(spec.input_shape, "x"), spec.outputs,
                     spec.outputs == 1 ? "" : "s");
}

}  // namespace

void deserialize_model(ApproxNet& net, const std::string& bytes, const std::string& origin) {
  // libtorch's load replaces each parameter with the archive's tensor whatever its shape, so the shapes are
  // compared here: a checkpoint of another network is refused before any forward pass.
  std::vector<std::pair<std::string, std::vector<int64_t>>> expected;
  for (const auto& p : net.named_parameters()) expected.emplace_back(p.key(), p.value().sizes().vec());
  const auto fail_unreadable = [&origin](const std::string& why) {
    AXT_FAIL(
        "checkpoint '{}' is not a readable checkpoint ({}); the file is corrupt or truncated, or was not written "
        "by axtrain: give the RUN/checkpoint.pt of a finished run",
        origin, why);
  };
  if (const auto fault = zip_archive_fault(bytes)) fail_unreadable(*fault);
  std::istringstream in(bytes);
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(in);
  } catch (const std::exception& e) {  // c10::Error, and torch::jit's errors for a corrupt archive
    fail_unreadable(first_line(e.what()));
  }
  try {
    net.load(archive);
  } catch (const std::exception& e) {
    AXT_FAIL(
        "checkpoint '{}' does not fit the network configured here ({}: {}); use the dataset and network it was "
        "trained with (its run folder's config.toml)",
        origin, network_text(net.spec()), first_line(e.what()));
  }
  const auto loaded = net.named_parameters();
  for (const auto& [name, sizes] : expected) {
    const c10::IntArrayRef got = loaded[name].sizes();
    AXT_CHECK(got == c10::IntArrayRef(sizes),
              "checkpoint '{}' holds another network: its '{}' is {}, while the network configured here ({}) "
              "needs {}; use the dataset and network it was trained with (its run folder's config.toml)",
              origin, name, shape_text(got), network_text(net.spec()), shape_text(sizes));
  }
}

void save_checkpoint(ApproxNet& net, const std::string& path) {
  write_file_atomic(path, serialize_model(net));
}

void load_checkpoint(ApproxNet& net, const std::string& path) {
  deserialize_model(net, read_file(path), path);
}

}  // namespace axtrain
