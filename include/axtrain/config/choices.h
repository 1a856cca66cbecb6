// The fixed choices of a run configuration (SPEC 2.6, 2.4, 4), each an enum named once here. The field
// tables (train_config.cpp) read, check, echo and document them through choice_names.
#pragma once

#include <array>
#include <span>
#include <string_view>

namespace axtrain {

// SPEC 2.6.
enum class Method { kBaseline, kPas, kAct, kAxtrain };
// How pas models the hardware: bit-exact emulation or moment-matched Gaussian noise.
enum class PasMode { kEmulate, kStatistic };
enum class Optimizer { kAdam, kSgd };
enum class LrSchedule { kNone, kCosine, kStep };
enum class WeightQuant { kPerTensor, kPerChannel };
// Transient faults are resampled on every read; persistent ones are one seeded chip (SPEC 2.4).
enum class Faults { kTransient, kPersistent };
enum class MemoryScope { kWeights, kWeightsAndActivations };
// The task of a dataset; auto = the dataset's own.
enum class TaskChoice { kAuto, kClassification, kRegression };
// Which hardware a sweep trains its hardware-aware models for: each point they are scored on, or the one
// [hardware.train] (a model scored on every point).
enum class SweepTrain { kPoint, kFixed };

inline constexpr std::array<std::string_view, 4> kMethodNames = {"baseline", "pas", "act", "axtrain"};
inline constexpr std::array<std::string_view, 2> kPasModeNames = {"emulate", "statistic"};
inline constexpr std::array<std::string_view, 2> kOptimizerNames = {"adam", "sgd"};
inline constexpr std::array<std::string_view, 3> kLrScheduleNames = {"none", "cosine", "step"};
inline constexpr std::array<std::string_view, 2> kWeightQuantNames = {"per-tensor", "per-channel"};
inline constexpr std::array<std::string_view, 2> kFaultsNames = {"transient", "persistent"};
inline constexpr std::array<std::string_view, 2> kMemoryScopeNames = {"weights", "weights+activations"};
inline constexpr std::array<std::string_view, 3> kTaskChoiceNames = {"auto", "classification", "regression"};
inline constexpr std::array<std::string_view, 2> kSweepTrainNames = {"point", "fixed"};

constexpr std::span<const std::string_view> choice_names(Method) {
  return kMethodNames;
}
constexpr std::span<const std::string_view> choice_names(PasMode) {
  return kPasModeNames;
}
constexpr std::span<const std::string_view> choice_names(Optimizer) {
  return kOptimizerNames;
}
constexpr std::span<const std::string_view> choice_names(LrSchedule) {
  return kLrScheduleNames;
}
constexpr std::span<const std::string_view> choice_names(WeightQuant) {
  return kWeightQuantNames;
}
constexpr std::span<const std::string_view> choice_names(Faults) {
  return kFaultsNames;
}
constexpr std::span<const std::string_view> choice_names(MemoryScope) {
  return kMemoryScopeNames;
}
constexpr std::span<const std::string_view> choice_names(TaskChoice) {
  return kTaskChoiceNames;
}
constexpr std::span<const std::string_view> choice_names(SweepTrain) {
  return kSweepTrainNames;
}

// Methods that add the sensitivity term R(w) to the loss (AxTrain-act).
constexpr bool uses_sensitivity_term(Method m) {
  return m == Method::kAct || m == Method::kAxtrain;
}
// Methods that put the training hardware into the forward pass (AxTrain-pas).
constexpr bool uses_hardware_forward(Method m) {
  return m == Method::kPas || m == Method::kAxtrain;
}

}  // namespace axtrain
