// Field tables: one row per option of a config struct, the single source of truth for its TOML key (which is
// also its long flag name), type, default (the struct's in-class initialiser), help and rule. The same rows
// drive flag registration, TOML reading, validation, the effective-config echo and docs/config.md.
// The tables themselves live with their structs (train_config.h); this header is the machinery.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace axtrain {

using IntList = std::vector<int>;
using StringList = std::vector<std::string>;

// What a value must satisfy. A default-constructed rule accepts every value of the field's type.
// Numbers (and each element of an integer list) are checked against min/max; NaN and infinities never pass.
// Build rules with the factories. Example: FieldRule::half_open(0, 1) is "in [0, 1)".
struct FieldRule {
  StringList choices;                // strings: must be one of these; empty = any string
  std::optional<double> min;         // numbers: lower bound; none = unbounded
  std::optional<double> max;         // numbers: upper bound; none = unbounded
  bool min_open = false;             // true: value > min instead of >= min
  bool max_open = false;             // true: value < max instead of <= max
  std::optional<double> sentinel;    // numbers: also accepted, meaning "unset" (e.g. -1 = take the BER)
  void (*check)(const std::string& value) = nullptr;  // strings: extra check; throws axtrain::Error
  std::string text;                  // the rule in words when `check` is set ("" = derived from the above)

  static FieldRule one_of(StringList choices);       // strings
  static FieldRule at_least(double min);              // >= min
  static FieldRule greater_than(double min);          // > min
  static FieldRule between(double lo, double hi);     // in [lo, hi]
  static FieldRule half_open(double lo, double hi);   // in [lo, hi)
  static FieldRule checked(void (*check)(const std::string& value), std::string text);  // strings
  FieldRule or_value(double value) const;             // this rule, also accepting `value` (the sentinel)

  // The rule in words: "one of mlp, lenet", ">= 0", "in [0, 1)", "-1 or in [0, 1]"; "" when there is none.
  std::string describe() const;
};

// A pointer to one field's value inside a struct, one alternative per supported type.
template <class S>
using FieldMember = std::variant<bool S::*, int S::*, double S::*, std::string S::*, IntList S::*, StringList S::*>;

// A pointer to one field's value inside one struct object.
using FieldRef = std::variant<bool*, int*, double*, std::string*, IntList*, StringList*>;

// One row of a field table. Example: {"epochs", &TrainConfig::epochs, "Training epochs", {.min = 0}}
template <class S>
struct Field {
  std::string name;       // TOML key, and the long flag --name (plus the alias --na-me for names with '_')
  FieldMember<S> member;  // where the value lives; the struct's initialiser is the default
  std::string help;       // one phrase for --help and docs/config.md; the rule and default are appended
  FieldRule rule = {};
  std::string flag_alias = {};  // another flag name, e.g. "hw" for multiplier (--train-hw); "" = none

  FieldRef ref(S& s) const {
    return std::visit([&s](auto m) -> FieldRef { return &(s.*m); }, member);
  }
};

// --- values ---------------------------------------------------------------------------------------------

// A value as a TOML literal: "text" (escaped), 3, 0.001 (always with '.' or an exponent), true, [256, 256].
std::string format_value(bool value);
std::string format_value(int value);
std::string format_value(double value);
std::string format_value(const std::string& value);
std::string format_value(const IntList& value);
std::string format_value(const StringList& value);

template <class S>
std::string format_field(const Field<S>& field, const S& s) {
  return std::visit([&s](auto m) { return format_value(s.*m); }, field.member);
}

// The type in words: "boolean", "integer", "number", "string", "array of integers", "array of strings".
std::string_view type_name(const FieldRef& ref);

template <class S>
std::string_view field_type_name(const Field<S>& field) {
  S s{};
  return type_name(field.ref(s));
}

// Copies the field's value from `from` to `to`.
template <class S>
void copy_field(const Field<S>& field, const S& from, S& to) {
  std::visit([&](auto m) { to.*m = from.*m; }, field.member);
}

// --- rules ----------------------------------------------------------------------------------------------

// Throws axtrain::Error unless `value` satisfies `rule`. The one-line message names `key` (the config key,
// e.g. "hardware.eval.p01") and `flag` (e.g. "--eval-p01"), the value, the rule and the fix.
void check_value(const FieldRule& rule, const std::string& key, const std::string& flag, const FieldRef& value);

// The closest of `candidates` to `name` by edit distance, or "" when none is close.
std::string closest_name(std::string_view name, const StringList& candidates);

// --- front ends -----------------------------------------------------------------------------------------

// Registers `--<flag>` (and `--fl-ag` when `flag` holds '_', e.g. "train-memory_scope") on `cmd`, parsing into `target`. Lists take
// comma-separated or repeated values (--hidden 128,64); booleans are flags that also take =true/=false.
// `description` should already hold the rule and the default. Whether it was given: option->count() > 0.
// `alias` (if not empty) is one more flag name.
CLI::Option* add_field_option(CLI::App& cmd, const std::string& flag, const std::string& alias,
                              const FieldRef& target, const std::string& description, const FieldRule& rule);

// One table of a TOML file: its dotted path ("" = top level, "hardware.train") and its keys' targets.
struct TomlSection {
  std::string path;
  std::vector<std::pair<std::string, FieldRef>> keys;
};

// Reads the TOML file at `path` into the targets; keys the file does not set keep their values. Returns
// "path.key" (just "key" at top level) of every key the file set. Throws axtrain::Error with one line for: an
// unreadable file; malformed TOML (file:line:column); a key or table that no section knows (names the file,
// line, the key, the closest known name and all known names); a value of the wrong type (names the key, the
// expected type and what the file has, e.g. "epochs: expected integer, got string; e.g. epochs = 3").
std::set<std::string> read_toml_file(const std::string& path, const std::vector<TomlSection>& sections);

}  // namespace axtrain
