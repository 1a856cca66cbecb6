#include "config_flags.h"

#include "axtrain/util/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace axtrain::cli {
namespace {

// The value as a --help default: CLI spelling (lists comma-separated), "" for an empty string.
template <class S>
std::string help_default(const Field<S>& field) {
  const S defaults{};
  return std::visit(
      [](const auto& value) -> std::string {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, ChoiceRef>)
          return std::string(value.name());
        else if constexpr (std::is_same_v<T, std::string*>)
          return value->empty() ? "\"\"" : *value;
        else if constexpr (std::is_same_v<T, IntList*> || std::is_same_v<T, StringList*>)
          return value->empty() ? "empty" : fmt::format("{}", fmt::join(*value, ","));
        else
          return format_value(*value);
      },
      field.ref(defaults));
}

template <class S>
std::string help_text(const Field<S>& field) {
  return fmt::format("{} (default: {})", field_meaning(field), help_default(field));
}

// One flag: where CLI11 parses it, and the key and flag names for messages.
struct Flag {
  CLI::Option* option = nullptr;
  std::string key;     // config key, e.g. "hardware.eval.faults"
  std::string flag;    // e.g. "--eval-faults"
  std::string choice;  // a choice flag's text, set into the config by resolve()
};

// Registers `--<name>` (and `--na-me` when `name` holds '_') parsing into `target` (a choice into
// flag.choice). Lists take comma-separated or repeated values (--hidden 128,64); booleans are flags that also
// take =true/=false.
void add_option(CLI::App& cmd, Flag& flag, const std::string& name, const std::string& alias, const FieldRef& target,
                const std::string& description, const FieldRule& rule) {
  std::string names = "--" + name;
  if (name.find('_') != std::string::npos) {
    std::string hyphenated = name;
    std::replace(hyphenated.begin(), hyphenated.end(), '_', '-');
    names += ",--" + hyphenated;
  }
  if (!alias.empty()) names += ",--" + alias;
  flag.flag = "--" + name;
  std::string choices;
  for (const std::string& c : rule.choices) choices += (choices.empty() ? "" : "|") + c;
  flag.option = std::visit(
      [&](const auto& value) -> CLI::Option* {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, ChoiceRef>) {
          return cmd.add_option(names, flag.choice, description)->type_name(choices);
        } else if constexpr (std::is_same_v<T, bool*>) {
          return cmd.add_flag(names, *value, description);
        } else if constexpr (std::is_same_v<T, IntList*> || std::is_same_v<T, StringList*>) {
          return cmd.add_option(names, *value, description)
              ->delimiter(',')
              ->type_name(std::is_same_v<T, IntList*> ? "INT,..." : "TEXT,...");
        } else {
          CLI::Option* option = cmd.add_option(names, *value, description);
          if (!choices.empty()) option->type_name(choices);
          return option;
        }
      },
      target);
}

// Copies a given flag's value into the config (a choice by name, checked).
template <class S>
void apply(const Field<S>& field, const Flag& flag, const S& values, S& config) {
  const FieldRef target = field.ref(config);
  if (const auto* c = std::get_if<ChoiceRef>(&target))
    set_choice(*c, flag.choice, flag.key, flag.flag);
  else
    copy_field(field, values, config);
}

}  // namespace

struct TrainConfigFlags::State {
  TrainConfig values;  // the flag targets
  std::string config_path;
  CLI::Option* config = nullptr;
  std::vector<Flag> top;                                     // parallel to train_config_fields()
  std::vector<Flag> sections[std::size(kHardwareSections)];  // parallel to hardware_config_fields()
  std::vector<Flag> energy;                                  // parallel to energy_config_fields()
  StringList multiply_energies;                              // --energy-multiply_pj SPEC=PJ
  CLI::Option* multiply_energy = nullptr;
};

TrainConfigFlags::TrainConfigFlags(CLI::App& cmd) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.config = cmd.add_option("--config", s.config_path,
                            "TOML config file; every key is also a flag, and flags "
                            "override the file (docs/config.md)");
  const auto& top = train_config_fields();
  s.top.resize(top.size());  // sized once: CLI11 keeps pointers to the choice strings
  for (std::size_t i = 0; i < top.size(); ++i) {
    s.top[i].key = top[i].name;
    add_option(cmd, s.top[i], top[i].name, top[i].flag_alias, top[i].ref(s.values), help_text(top[i]), top[i].rule);
  }
  const auto& fields = hardware_config_fields();
  for (std::size_t i = 0; i < std::size(kHardwareSections); ++i) {
    const HardwareSection& section = kHardwareSections[i];
    s.sections[i].resize(fields.size());
    for (std::size_t j = 0; j < fields.size(); ++j) {
      const std::string_view prefix = section.flag_prefix;
      const std::string alias = fields[j].flag_alias.empty() ? "" : fmt::format("{}{}", prefix, fields[j].flag_alias);
      Flag& flag = s.sections[i][j];
      flag.key = fmt::format("{}.{}", section.path, fields[j].name);
      add_option(cmd, flag, fmt::format("{}{}", prefix, fields[j].name), alias, fields[j].ref(s.values.*section.member),
                 help_text(fields[j]), fields[j].rule);
      flag.option->group(std::string(section.group));
    }
  }
  const auto& energy = energy_config_fields();
  const std::string energy_group = "Energy model [energy] (docs/energy-model.md)";
  s.energy.resize(energy.size());
  for (std::size_t i = 0; i < energy.size(); ++i) {
    s.energy[i].key = fmt::format("{}.{}", kEnergySection, energy[i].name);
    add_option(cmd, s.energy[i], fmt::format("{}-{}", kEnergySection, energy[i].name), "",
               energy[i].ref(s.values.energy), help_text(energy[i]), energy[i].rule);
    s.energy[i].option->group(energy_group);
  }
  s.multiply_energy = cmd.add_option("--energy-multiply_pj,--energy-multiply-pj", s.multiply_energies,
                                     "Multiply energy in pJ of one multiplier, SPEC=PJ (repeatable; the table "
                                     "[energy.multiply_pj]; needed for lut: multipliers in explore)")
                          ->type_name("SPEC=PJ")
                          ->group(energy_group);
}

TrainConfigFlags::~TrainConfigFlags() = default;
TrainConfigFlags::TrainConfigFlags(TrainConfigFlags&&) noexcept = default;
TrainConfigFlags& TrainConfigFlags::operator=(TrainConfigFlags&&) noexcept = default;

namespace {

// --init: the network the checkpoint was trained as (its run folder's config.toml), wherever neither the file
// nor a flag names it, so fine-tuning needs no repeated --hidden. A checkpoint without a config.toml beside it
// keeps the configured network (the checkpoint's shapes are checked against it when it is loaded).
void inherit_network(TrainConfig& config, const std::set<std::string>& given) {
  const std::filesystem::path trained_config = std::filesystem::path(config.init).parent_path() / "config.toml";
  if (!std::filesystem::is_regular_file(trained_config)) return;
  const TrainConfig trained = read_train_config(trained_config.string());
  if (!given.contains("network")) config.network = trained.network;
  if (!given.contains("hidden")) config.hidden = trained.hidden;
  if (!given.contains("activation")) config.activation = trained.activation;
}

}  // namespace

TrainConfig TrainConfigFlags::resolve(const std::string& default_config) const {
  const State& s = *state_;
  const std::string path = s.config->count() > 0 ? s.config_path : default_config;
  std::set<std::string> given;  // keys the file or a flag sets
  TrainConfig config = path.empty() ? TrainConfig{} : read_train_config(path, &given);
  const auto& top = train_config_fields();
  bool hw_given = false, memory_given = false;
  for (std::size_t i = 0; i < top.size(); ++i) {
    if (s.top[i].option->count() == 0) continue;
    apply(top[i], s.top[i], s.values, config);
    given.insert(std::string(top[i].name));
    hw_given = hw_given || top[i].name == "hw";
    memory_given = memory_given || top[i].name == "memory";
  }
  if (!config.init.empty()) inherit_network(config, given);
  hw_given = hw_given && !config.hw.empty();
  memory_given = memory_given && !config.memory.empty();
  const auto& fields = hardware_config_fields();
  for (std::size_t i = 0; i < std::size(kHardwareSections); ++i) {
    HardwareConfig& hardware = config.*kHardwareSections[i].member;
    if (hw_given) hardware.multiplier = config.hw;  // --hw beats the file's sections
    if (memory_given) hardware.memory = config.memory;
    for (std::size_t j = 0; j < fields.size(); ++j)  // --train-*/--eval-* beat everything
      if (s.sections[i][j].option->count() > 0)
        apply(fields[j], s.sections[i][j], s.values.*kHardwareSections[i].member, hardware);
  }
  const auto& energy = energy_config_fields();
  for (std::size_t i = 0; i < energy.size(); ++i)
    if (s.energy[i].option->count() > 0) apply(energy[i], s.energy[i], s.values.energy, config.energy);
  for (const std::string& entry : s.multiply_energies) set_multiply_energy(config.energy, entry);
  make_data_paths_absolute(config);
  validate(config);
  return config;
}

std::shared_ptr<std::string> add_progress_option(CLI::App& cmd) {
  auto style = std::make_shared<std::string>("auto");
  cmd.add_option("--progress", *style,
                 "Progress on stderr: terminal (one line rewritten in place), plain (lines for a log: every epoch "
                 "with its ETA), or auto (terminal when stderr is one)")
      ->capture_default_str()
      ->type_name("auto|terminal|plain");
  return style;
}

}  // namespace axtrain::cli
