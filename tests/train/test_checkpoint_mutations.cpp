// Corrupt checkpoints (train/checkpoint.h) and training states (train/training_state.h): seeded mutations of
// real ones (bit flips, overwritten runs, truncations, insertions, repeated chunks) must each load or fail
// with axtrain::Error, never with another exception, a signal or a sanitizer finding. This is the fuzzing of
// the two libtorch archives: a mutation fuzzer without coverage feedback, because libtorch, which parses them,
// is not instrumented (fuzz/README.md). AXT_CHECKPOINT_MUTATIONS sets the count per archive (default 300; the
// long run in fuzz/README.md uses 1000000).
#include "axtrain/train/checkpoint.h"
#include "axtrain/train/trainer.h"
#include "axtrain/train/training_state.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <random>
#include <string>

// libtorch's archive reader (miniz inside libtorch_cpu) leaks its buffers when a corrupt archive makes it throw;
// a process that reports the error and exits loses nothing, but this test reads thousands of them, so
// LeakSanitizer is told to ignore allocations made inside libtorch_cpu, in this test binary only.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libtorch_cpu.so\n";
}

namespace axtrain {
namespace {

std::string mutated(std::string bytes, std::mt19937_64& rng) {
  const auto below = [&](std::size_t n) { return n == 0 ? std::size_t{0} : std::size_t(rng() % n); };
  for (std::size_t k = 0, edits = 1 + below(3); k < edits && !bytes.empty(); ++k) {
    const std::size_t at = below(bytes.size());
    switch (below(6)) {
      case 0: bytes[at] = static_cast<char>(bytes[at] ^ (1 << below(8))); break;
      case 1: bytes[at] = static_cast<char>(rng()); break;
      case 2: bytes.resize(at); break;
      case 3: bytes.insert(at, std::string(1 + below(16), static_cast<char>(rng()))); break;
      case 4: bytes.replace(at, 1 + below(16), std::string(1 + below(16), below(2) ? '\xff' : '\0')); break;
      default: bytes.insert(below(bytes.size()), bytes.substr(at, 1 + below(64)));
    }
  }
  return bytes;
}

int mutations() {
  const char* n = std::getenv("AXT_CHECKPOINT_MUTATIONS");
  return n != nullptr ? std::atoi(n) : 300;
}

struct Archives {
  NetworkSpec spec{.network = "mlp", .input_shape = {4}, .hidden = {3}, .outputs = 2};
  std::string checkpoint, state;
};

Archives real_archives() {
  Archives a;
  torch::manual_seed(1);
  PreparedData data;
  data.task = Task::kClassification;
  data.sample_shape = {4};
  data.outputs = 2;
  data.train = {torch::randn({64, 4}), torch::randint(0, 2, {64})};
  data.test = data.train;
  TrainConfig c;
  c.hidden = {3};
  c.epochs = 1;
  c.batch_size = 16;
  c.threads = 1;
  auto net = make_model(a.spec);
  TrainControl control;
  control.save_state = [&](const std::string& bytes) { a.state = bytes; };
  HardwareResolver resolver;
  train_model(*net, data, c, resolver.resolve(c.hardware_train), control);
  a.checkpoint = serialize_model(*net);
  return a;
}

TEST(CheckpointMutations, EveryMutatedArchiveLoadsOrIsAUserError) {
  const Archives a = real_archives();
  ASSERT_FALSE(a.checkpoint.empty());
  ASSERT_FALSE(a.state.empty());
  {  // the unmutated archives load: a refusal below is the mutation's doing
    auto net = make_model(a.spec);
    torch::optim::Adam optimizer(net->parameters());
    deserialize_model(*net, a.checkpoint, "m.pt");
    restore_training_state(*net, optimizer, a.state, "s.pt");
  }
  std::mt19937_64 rng(20261202);
  int refused = 0, loaded = 0;
  const int n = mutations();
  for (int i = 0; i < n; ++i) {
    const std::string bad_checkpoint = mutated(a.checkpoint, rng), bad_state = mutated(a.state, rng);
    auto net = make_model(a.spec);
    torch::optim::Adam optimizer(net->parameters());
    for (const auto& load :
         {std::function<void()>([&] { deserialize_model(*net, bad_checkpoint, "m.pt"); }),
          std::function<void()>([&] { (void)peek_training_state(bad_state, "s.pt"); }),
          std::function<void()>([&] { restore_training_state(*net, optimizer, bad_state, "s.pt"); })}) {
      try {
        load();
        ++loaded;
      } catch (const Error&) {
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, n) << "most mutations of a zip archive break it";
  std::printf("%d mutations of each archive: %d loads, %d user errors\n", n, loaded, refused);
}

TEST(CheckpointMutations, ChangedTorchScriptSourceIsCaughtByItsCrc) {
  // libtorch 1.13 does not check an entry's CRC-32, and a changed byte in the archive's TorchScript source can
  // crash its type parser (a segfault the mutation run found); the CRC check refuses the file first.
  const Archives a = real_archives();
  std::string bad = a.checkpoint;
  const std::size_t source = bad.find("class ");
  ASSERT_NE(source, std::string::npos) << "the archive holds TorchScript source";
  bad[source + 6] = '(';
  auto net = make_model(a.spec);
  try {
    deserialize_model(*net, bad, "m.pt");
    FAIL() << "a changed archive loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fails its CRC-32 check"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace axtrain
