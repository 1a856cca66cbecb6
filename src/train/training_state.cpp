#include "axtrain/train/training_state.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"
#include "axtrain/util/zip_archive.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>

#include <cstring>
#include <mutex>
#include <sstream>

namespace axtrain {
namespace {

constexpr int64_t kFormat = 1;  // bump when the layout below changes
constexpr int kHistoryColumns = 7;

torch::Tensor bytes_tensor(const std::string& bytes) {
  auto t = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  if (!bytes.empty()) std::memcpy(t.data_ptr<std::uint8_t>(), bytes.data(), bytes.size());
  return t;
}

std::string tensor_bytes(const torch::Tensor& t) {
  const auto c = t.contiguous();
  return {reinterpret_cast<const char*>(c.data_ptr<std::uint8_t>()), static_cast<std::size_t>(c.numel())};
}

torch::Tensor history_tensor(const TrainHistory& h) {
  auto t = torch::empty({static_cast<int64_t>(h.epochs.size()), kHistoryColumns}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (std::size_t i = 0; i < h.epochs.size(); ++i) {
    const EpochStats& e = h.epochs[i];
    const double row[kHistoryColumns] = {static_cast<double>(e.epoch), e.loss, e.regulariser, e.train_error,
                                         e.validation_error,           e.lr,   e.seconds};
    for (int c = 0; c < kHistoryColumns; ++c) a[static_cast<int64_t>(i)][c] = row[c];
  }
  return t;
}

TrainHistory history_of(const torch::Tensor& t) {
  AXT_ASSERT(t.dim() == 2 && t.size(1) == kHistoryColumns);
  TrainHistory h;
  auto a = t.accessor<double, 2>();
  for (int64_t i = 0; i < t.size(0); ++i)
    h.epochs.push_back({.epoch = static_cast<int>(a[i][0]),
                        .loss = a[i][1],
                        .regulariser = a[i][2],
                        .train_error = a[i][3],
                        .validation_error = a[i][4],
                        .lr = a[i][5],
                        .seconds = a[i][6]});
  return h;
}

// The scalars: position {format, epoch, next_batch, hardware_step, epochs_without_gain, finished, best_epoch,
// stopped_early} and sums {loss, regulariser, wrong, count, epoch_seconds, seconds, best_error}.
void read_scalars(torch::serialize::InputArchive& archive, TrainingState& s, const std::string& origin) {
  torch::Tensor position, sums;
  archive.read("position", position);
  archive.read("sums", sums);
  AXT_CHECK(position.scalar_type() == torch::kInt64 && position.numel() == 8 && sums.numel() == 7 &&
                sums.scalar_type() == torch::kFloat64,
            "'{}' is not a training state of this version of axtrain; delete it (or use --overwrite) to start over",
            origin);
  const auto p = position.accessor<int64_t, 1>();
  AXT_CHECK(p[0] == kFormat, "'{}' is a training state of format {}, this axtrain reads format {}; use --overwrite",
            origin, p[0], kFormat);
  s.epoch = static_cast<int>(p[1]);
  s.next_batch = p[2];
  s.hardware_step = static_cast<std::uint64_t>(p[3]);
  s.epochs_without_gain = static_cast<int>(p[4]);
  s.finished = p[5] != 0;
  s.history.best_epoch = static_cast<int>(p[6]);
  s.history.stopped_early = p[7] != 0;
  const auto v = sums.accessor<double, 1>();
  s.loss_sum = v[0], s.regulariser_sum = v[1], s.error_wrong = v[2], s.error_count = v[3];
  s.epoch_seconds = v[4], s.seconds = v[5], s.best_error = v[6];
}

template <class F>
auto reading(const std::string& origin, F&& f) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {  // c10::Error, and torch::jit's errors for a corrupt archive
    AXT_FAIL("'{}' is not a training state of this run ({}); use --overwrite to start over", origin,
             first_line(e.what()));
  }
}

torch::serialize::InputArchive load_archive(const std::string& bytes, const std::string& origin) {
  if (const auto fault = zip_archive_fault(bytes))
    AXT_FAIL("'{}' is not a training state of this run ({}); use --overwrite to start over", origin, *fault);
  return reading(origin, [&] {
    std::istringstream in(bytes);
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    return archive;
  });
}

}  // namespace

std::string serialize_training_state(ApproxNet& net, torch::optim::Optimizer& optimizer, const TrainingState& s) {
  torch::serialize::OutputArchive archive, model, optim;
  net.save(model);
  optimizer.save(optim);
  archive.write("model", model);
  archive.write("optimizer", optim);
  {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("generator", generator.get_state());
  }
  archive.write("position",
                torch::tensor({kFormat, int64_t{s.epoch}, s.next_batch, static_cast<int64_t>(s.hardware_step),
                               int64_t{s.epochs_without_gain}, int64_t{s.finished}, int64_t{s.history.best_epoch},
                               int64_t{s.history.stopped_early}},
                              torch::kInt64));
  archive.write("sums", torch::tensor({s.loss_sum, s.regulariser_sum, s.error_wrong, s.error_count, s.epoch_seconds,
                                       s.seconds, s.best_error},
                                      torch::kFloat64));
  archive.write("history", history_tensor(s.history));
  archive.write("best_weights", bytes_tensor(s.best_weights));
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

TrainingState restore_training_state(ApproxNet& net, torch::optim::Optimizer& optimizer, const std::string& bytes,
                                     const std::string& origin) {
  torch::serialize::InputArchive archive = load_archive(bytes, origin);
  TrainingState s;
  reading(origin, [&] {
    read_scalars(archive, s, origin);
    torch::Tensor history, best, generator_state;
    archive.read("history", history);
    archive.read("best_weights", best);
    archive.read("generator", generator_state);
    torch::serialize::InputArchive model, optim;
    archive.read("model", model);
    archive.read("optimizer", optim);
    net.load(model);
    optimizer.load(optim);
    const int best_epoch = s.history.best_epoch;
    const bool stopped_early = s.history.stopped_early;
    s.history = history_of(history);
    s.history.best_epoch = best_epoch, s.history.stopped_early = stopped_early;
    s.best_weights = tensor_bytes(best);
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(generator_state);
    return 0;
  });
  return s;
}

TrainingState peek_training_state(const std::string& bytes, const std::string& origin) {
  torch::serialize::InputArchive archive = load_archive(bytes, origin);
  TrainingState s;
  reading(origin, [&] {
    read_scalars(archive, s, origin);
    return 0;
  });
  return s;
}

}  // namespace axtrain
