#include "axtrain/runs/bench.h"

#include "axtrain/config/hardware.h"
#include "axtrain/kernels/approx_gemm.h"
#include "axtrain/kernels/int8_gemm.h"
#include "axtrain/train/models.h"
#include "axtrain/train/tensor_data.h"
#include "axtrain/train/trainer.h"
#include "axtrain/util/rng.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <functional>

namespace axtrain {
namespace {

struct Shape {
  int m, n, k;
  const char* layer;
};

std::vector<Shape> shapes(bool quick) {
  if (quick) return {{256, 128, 784, "mlp fc1"}, {6, 12544, 25, "lenet conv1, batch 16"}};
  return {{256, 128, 784, "mlp fc1"},      {256, 128, 256, "mlp fc2"},      {10, 128, 256, "mlp fc3"},
          {6, 100352, 25, "lenet conv1"},  {16, 12800, 150, "lenet conv2"}, {120, 128, 400, "lenet fc1"},
          {1024, 1024, 1024, "1024 cubed"}};
}

// Seconds per call: repeated until min_seconds have passed (at least twice, the first call warms up).
double time_call(const std::function<void()>& call, double min_seconds) {
  using Clock = std::chrono::steady_clock;
  call();
  int reps = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    call();
    ++reps;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < min_seconds || reps < 2);
  return elapsed / reps;
}

std::vector<std::uint8_t> random_bytes(std::size_t size, std::uint64_t seed) {
  std::vector<std::uint8_t> v(size);
  Rng rng(seed);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng.below(256));
  return v;
}

// The gather this engine replaced (train/approx_matmul.cpp before it): int64 operand indices, an int64 table,
// one lookup per product, rows split over the threads, float64 results. The reference of ratio_vs_gather;
// the index conversion it also paid per call is left out here, which flatters it.
double time_former_gather(const Shape& s, const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b,
                          double min_seconds) {
  const Multiplier mitchell = Multiplier::parse("mitchell");
  const std::vector<std::int32_t>& products = mitchell.table().products();
  std::vector<std::int64_t> lut(products.begin(), products.end());
  std::vector<std::int64_t> ia(a.begin(), a.end()), ib(b.size());  // ib: {n, k}, rows contiguous in k
  for (int p = 0; p < s.k; ++p)
    for (int j = 0; j < s.n; ++j) ib[static_cast<std::size_t>(j) * s.k + p] = b[static_cast<std::size_t>(p) * s.n + j];
  std::vector<double> out(static_cast<std::size_t>(s.m) * s.n);
  return time_call(
      [&] {
        at::parallel_for(0, s.m, 1, [&](int64_t begin, int64_t end) {
          for (int64_t o = begin; o < end; ++o) {
            const std::int64_t* row = ia.data() + o * s.k;
            for (int64_t j = 0; j < s.n; ++j) {
              const std::int64_t* col = ib.data() + j * s.k;
              std::int64_t acc = 0;
              for (int64_t p = 0; p < s.k; ++p) acc += lut[static_cast<std::size_t>(row[p] * 256 + col[p])];
              out[static_cast<std::size_t>(o * s.n + j)] = static_cast<double>(acc);
            }
          }
        });
      },
      min_seconds);
}

void bench_shape(const Shape& s, const BenchOptions& o, std::vector<KernelBenchRow>& rows) {
  const auto mk = static_cast<std::size_t>(s.m) * s.k, kn = static_cast<std::size_t>(s.k) * s.n;
  const std::vector<std::uint8_t> a = random_bytes(mk, 1), b = random_bytes(kn, 2);
  std::vector<std::int8_t> b_signed(kn);
  for (std::size_t i = 0; i < kn; ++i) b_signed[i] = static_cast<std::int8_t>(b[i] ^ 0x80);
  std::vector<std::int32_t> c(static_cast<std::size_t>(s.m) * s.n);
  const std::string shape = fmt::format("{}x{}x{} ({})", s.m, s.n, s.k, s.layer);
  const double ops = 2.0 * s.m * s.n * s.k;
  auto row = [&](std::string name, double seconds, std::string detail = "") {
    rows.push_back({std::move(name), shape, o.threads, seconds, ops / seconds / 1e9, 0, 0, {}, std::move(detail)});
    return &rows.back();
  };
  const std::size_t first = rows.size();
  torch::NoGradGuard no_grad;
  const auto fa = torch::rand({s.m, s.k}), fb = torch::rand({s.k, s.n});
  const double fp32 = time_call([&] { (void)torch::mm(fa, fb); }, o.min_seconds);
  row("exact fp32 (torch::mm)", fp32);
  const double int8 =
      time_call([&] { int8_gemm(s.m, s.n, s.k, a.data(), s.k, b_signed.data(), s.n, c.data(), s.n); }, o.min_seconds);
  row("exact int8 (oneDNN u8s8s32)", int8);
  const ApproxGemm any_table(Multiplier::parse("mitchell"));
  auto run = [&](const ApproxGemm& g, GemmPath path) {
    return time_call([&] { g.run(path, s.m, s.n, s.k, a.data(), s.k, 0, b.data(), s.n, 0, c.data(), s.n); },
                     o.min_seconds);
  };
  const std::size_t gather_index = rows.size();
  row("former gather (int64, any table)", time_former_gather(s, a, b, o.min_seconds));
  row("gather (scalar int32, any table)", run(any_table, GemmPath::kGather));
  for (GemmPath path : {GemmPath::kTableVbmi, GemmPath::kTableAvx2})
    if (any_table.supports(path, s.k, 0, 0))
      row(fmt::format("{} mitchell", gemm_path_name(path)), run(any_table, path));
  for (const char* spec : {"K1", "K2", "K3", "truncated:8"}) {
    const ApproxGemm g(Multiplier::parse(spec));
    if (!g.supports(GemmPath::kDecomposed, s.k, 0, 0)) continue;
    KernelBenchRow* r =
        row(fmt::format("decomposed {}", spec), run(g, GemmPath::kDecomposed), g.decomposed()->describe());
    r->ratio_vs_bound = g.decomposed()->segment_count() * int8 / r->seconds;
  }
  const double gather = rows[gather_index].seconds;
  for (std::size_t i = first; i < rows.size(); ++i) {
    rows[i].ratio_vs_gather = gather / rows[i].seconds;
    rows[i].ratio_vs_exact_fp32 = fp32 / rows[i].seconds;
  }
}

struct EpochCase {
  const char* name;
  std::string network;
  Method method;
  PasMode mode;
  const char* multiplier;
  const char* memory;
};

constexpr int kEpochRepeats = 3;

void bench_epochs(const BenchOptions& o, const Progress& progress, std::vector<EpochBenchRow>& rows) {
  const std::vector<EpochCase> cases = {
      {"mlp baseline", "mlp", Method::kBaseline, PasMode::kEmulate, "K3", "none"},
      {"mlp pas K3 (emulate)", "mlp", Method::kPas, PasMode::kEmulate, "K3", "none"},
      {"mlp pas K1 (emulate)", "mlp", Method::kPas, PasMode::kEmulate, "K1", "none"},
      {"mlp pas truncated:8 (emulate)", "mlp", Method::kPas, PasMode::kEmulate, "truncated:8", "none"},
      {"mlp pas mitchell (emulate, any table)", "mlp", Method::kPas, PasMode::kEmulate, "mitchell", "none"},
      {"mlp pas K3 (statistic)", "mlp", Method::kPas, PasMode::kStatistic, "K3", "none"},
      {"mlp act K3", "mlp", Method::kAct, PasMode::kEmulate, "K3", "none"},
      {"mlp act K3 + memory 0.6V", "mlp", Method::kAct, PasMode::kEmulate, "K3", "0.6V"},
      {"mlp axtrain K3", "mlp", Method::kAxtrain, PasMode::kEmulate, "K3", "none"},
      {"lenet baseline", "lenet", Method::kBaseline, PasMode::kEmulate, "K3", "none"},
      {"lenet pas K3 (emulate)", "lenet", Method::kPas, PasMode::kEmulate, "K3", "none"},
      {"lenet pas mitchell (emulate, any table)", "lenet", Method::kPas, PasMode::kEmulate, "mitchell", "none"},
      {"lenet pas K3 (statistic)", "lenet", Method::kPas, PasMode::kStatistic, "K3", "none"},
      {"lenet act K3", "lenet", Method::kAct, PasMode::kEmulate, "K3", "none"},
      {"lenet axtrain K3", "lenet", Method::kAxtrain, PasMode::kEmulate, "K3", "none"},
  };
  HardwareResolver resolver;
  std::vector<TrainConfig> configs;
  std::vector<PreparedData> data;  // one per network: the cases of a network share their rows
  std::vector<std::size_t> data_of;
  std::vector<const EpochCase*> picked;
  for (const EpochCase& e : cases) {
    if (o.quick && e.network == "lenet") continue;
    TrainConfig c;
    c.network = e.network;
    c.train_samples = o.quick ? 2000 : e.network == "mlp" ? 20000 : 5000;
    c.test_samples = 100;
    c.epochs = 1;
    c.threads = o.threads;
    c.method = e.method;
    c.pas_mode = e.mode;
    c.hardware_train.multiplier = e.multiplier;
    c.hardware_train.memory = e.memory;
    if (e.method == Method::kBaseline) data.push_back(prepare_data(c));  // each network's list starts with it
    configs.push_back(c);
    picked.push_back(&e);
    data_of.push_back(data.size() - 1);
  }
  // The fastest of a few epochs per case, the cases interleaved: one epoch's time on a shared machine varies by
  // 10-20 % over seconds, which one measurement per case would carry into its ratio.
  std::vector<double> best(configs.size(), 0);
  for (int repeat = 0; repeat < kEpochRepeats; ++repeat) {
    for (std::size_t i = 0; i < configs.size(); ++i) {
      progress.status(fmt::format("epoch {}/{}: {}", repeat + 1, kEpochRepeats, picked[i]->name));
      torch::manual_seed(1);
      auto net = make_model(network_spec(configs[i], data[data_of[i]]));
      const TrainHistory history =
          train_model(*net, data[data_of[i]], configs[i], resolver.resolve(configs[i].hardware_train));
      const double seconds = history.epochs.front().seconds;
      best[i] = repeat == 0 ? seconds : std::min(best[i], seconds);
    }
  }
  double baseline = 0;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    if (configs[i].method == Method::kBaseline) baseline = best[i];
    rows.push_back({picked[i]->name, o.threads, configs[i].train_samples, best[i], best[i] / baseline});
  }
}

}  // namespace

BenchResult run_bench(const BenchOptions& o, const Progress& progress) {
  torch::set_num_threads(o.threads);
  BenchResult result;
  if (o.kernels) {
    for (const Shape& s : shapes(o.quick)) {
      progress.status(fmt::format("kernels at {}x{}x{} ({})", s.m, s.n, s.k, s.layer));
      bench_shape(s, o, result.kernels);
    }
  }
  if (o.epochs) bench_epochs(o, progress, result.epochs);
  return result;
}

nlohmann::json BenchResult::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const KernelBenchRow& r : kernels) {
    nlohmann::json j = {{"kind", "kernel"},
                        {"name", r.name},
                        {"shape", r.shape},
                        {"threads", r.threads},
                        {"seconds", r.seconds},
                        {"gops", r.gops},
                        {"ratio_vs_gather", r.ratio_vs_gather},
                        {"ratio_vs_exact_fp32", r.ratio_vs_exact_fp32}};
    if (r.ratio_vs_bound) j["ratio_vs_bound"] = *r.ratio_vs_bound;
    if (!r.detail.empty()) j["detail"] = r.detail;
    list.push_back(j);
  }
  for (const EpochBenchRow& r : epochs)
    list.push_back({{"kind", "epoch"},
                    {"name", r.name},
                    {"shape", fmt::format("{} rows", r.rows)},
                    {"threads", r.threads},
                    {"seconds", r.seconds},
                    {"ratio_vs_baseline", r.ratio_vs_baseline}});
  return list;
}

std::string BenchResult::table() const {
  std::string out;
  std::string shape;
  for (const KernelBenchRow& r : kernels) {
    if (r.shape != shape) {
      shape = r.shape;
      out += fmt::format("\n{} ({} threads)\n  {:<30} {:>9} {:>9} {:>10} {:>9} {:>9}\n", shape, r.threads, "kernel",
                         "ms", "GOP/s", "vs gather", "vs fp32", "vs bound");
    }
    out += fmt::format("  {:<30} {:>9.3f} {:>9.1f} {:>9.1f}x {:>8.2f}x {:>9}\n", r.name, r.seconds * 1e3, r.gops,
                       r.ratio_vs_gather, r.ratio_vs_exact_fp32,
                       r.ratio_vs_bound ? fmt::format("{:.2f}", *r.ratio_vs_bound) : "");
  }
  if (!epochs.empty()) {
    out += fmt::format("\nOne training epoch ({} threads)\n  {:<42} {:>7} {:>9} {:>12}\n", epochs.front().threads,
                       "method", "rows", "s", "vs baseline");
    for (const EpochBenchRow& r : epochs)
      out += fmt::format("  {:<42} {:>7} {:>9.3f} {:>11.2f}x\n", r.name, r.rows, r.seconds, r.ratio_vs_baseline);
  }
  return out;
}

}  // namespace axtrain
