// Field tables: one row per option of a struct, the single source of truth for its name (the TOML key, the
// long flag, the JSON field and the CSV column), type, default (the struct's in-class initialiser), help and
// rule. The same rows drive flag registration (the CLI), TOML reading (config/), validation, the
// effective-config echo, result rows (explore/) and docs/config.md. This header is the machinery only.
//
// Choices: a field with a fixed set of values is an enum E whose enumerators are 0..n-1, named by a function
//   std::span<const std::string_view> choice_names(E)
// found by argument-dependent lookup (see config/choices.h). Names are written once, there.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace axtrain {

using IntList = std::vector<int>;
using StringList = std::vector<std::string>;

// --- choices --------------------------------------------------------------------------------------------

template <class E>
concept Choice = std::is_enum_v<E> && requires(E e) {
  { choice_names(e) } -> std::convertible_to<std::span<const std::string_view>>;
};

template <Choice E>
std::string_view name_of(E value) {
  return choice_names(value)[static_cast<std::size_t>(value)];
}

template <Choice E>
StringList choice_list() {
  StringList names;
  for (std::string_view name : choice_names(E{})) names.emplace_back(name);
  return names;
}

// The value named `name`, or nullopt.
template <Choice E>
std::optional<E> choice_from_name(std::string_view name) {
  const auto names = choice_names(E{});
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<E>(i);
  return std::nullopt;
}

// One choice value inside some object, with its type erased.
struct ChoiceRef {
  void* value = nullptr;
  std::span<const std::string_view> names;
  std::size_t (*get)(const void* value) = nullptr;
  void (*set)(void* value, std::size_t index) = nullptr;

  std::string_view name() const { return names[get(value)]; }
  bool set_name(std::string_view name) const;  // false (and nothing set) when `name` is not a choice
};

// For reading only, `value` may point to a const object (the ref's set is then never called).
template <Choice E>
ChoiceRef choice_ref(const E* value) {
  return {const_cast<E*>(value), choice_names(E{}),
          [](const void* v) { return static_cast<std::size_t>(*static_cast<const E*>(v)); },
          [](void* v, std::size_t i) { *static_cast<E*>(v) = static_cast<E>(i); }};
}

// --- rules ----------------------------------------------------------------------------------------------

// What a value must satisfy. A default-constructed rule accepts every finite value of the field's type.
// Numbers (and each element of an integer list) are checked against min/max; NaN and infinities never pass.
// Build rules with the factories. Example: FieldRule::half_open(0, 1) is "in [0, 1)".
struct FieldRule {
  StringList choices;              // strings and choices: must be one of these; empty = any string
  std::optional<double> min;       // numbers: lower bound; none = unbounded
  std::optional<double> max;       // numbers: upper bound; none = unbounded
  bool min_open = false;           // true: value > min instead of >= min
  bool max_open = false;           // true: value < max instead of <= max
  std::optional<double> sentinel;  // numbers: also accepted, meaning "unset" (e.g. -1 = take the BER)
  void (*check)(const std::string& value) = nullptr;  // strings: extra check; throws axtrain::Error
  std::string text;  // the rule in words when `check` is set ("" = derived from the above)

  static FieldRule one_of(StringList choices);                                          // strings
  static FieldRule at_least(double min);                                                // >= min
  static FieldRule greater_than(double min);                                            // > min
  static FieldRule between(double lo, double hi);                                       // in [lo, hi]
  static FieldRule half_open(double lo, double hi);                                     // in [lo, hi)
  static FieldRule checked(void (*check)(const std::string& value), std::string text);  // strings
  FieldRule or_value(double value) const;  // this rule, also accepting `value` (the sentinel)

  // The rule in words: "one of mlp, lenet", ">= 0", "in [0, 1)", "-1 or in [0, 1]"; "" when there is none.
  std::string describe() const;
};

// --- fields ---------------------------------------------------------------------------------------------

// A pointer to one field's value inside one object, one alternative per supported type.
using FieldRef = std::variant<bool*, int*, double*, std::string*, IntList*, StringList*, ChoiceRef>;

// Where a choice field lives in S.
template <class S>
struct ChoiceMember {
  std::function<ChoiceRef(const S&)> ref;
};

// A pointer to one field's value inside a struct.
template <class S>
using FieldMember =
    std::variant<bool S::*, int S::*, double S::*, std::string S::*, IntList S::*, StringList S::*, ChoiceMember<S>>;

// One row of a field table. Example: {"epochs", &TrainConfig::epochs, "Training epochs", FieldRule::at_least(0)}
// A choice field's rule is "one of" its names.
template <class S>
struct Field {
  template <class T>
  Field(std::string field_name, T S::*field_member, std::string field_help, FieldRule field_rule = {},
        std::string alias = {})
      : name(std::move(field_name)),
        help(std::move(field_help)),
        rule(std::move(field_rule)),
        flag_alias(std::move(alias)) {
    if constexpr (Choice<T>) {
      member = ChoiceMember<S>{[field_member](const S& s) { return choice_ref(&(s.*field_member)); }};
      rule.choices = choice_list<T>();
    } else {
      member = field_member;
    }
  }

  std::string name;       // TOML key, and the long flag --name (plus the alias --na-me for names with '_')
  FieldMember<S> member;  // where the value lives; the struct's initialiser is the default
  std::string help;       // one phrase for --help and docs/config.md; the rule and default are appended
  FieldRule rule;
  std::string flag_alias;  // another flag name, e.g. "hw" for multiplier (--train-hw); "" = none

  FieldRef ref(S& s) const {
    return std::visit(
        [&s](const auto& m) -> FieldRef {
          if constexpr (std::is_same_v<std::decay_t<decltype(m)>, ChoiceMember<S>>)
            return m.ref(s);
          else
            return &(s.*m);
        },
        member);
  }
  // For reading only.
  FieldRef ref(const S& s) const { return ref(const_cast<S&>(s)); }
};

// --- values ---------------------------------------------------------------------------------------------

// A value as a TOML literal: "text" (escaped), 3, 0.001 (always with '.' or an exponent), true, [256, 256].
std::string format_value(bool value);
std::string format_value(int value);
std::string format_value(double value);
std::string format_value(const std::string& value);
std::string format_value(const IntList& value);
std::string format_value(const StringList& value);
std::string format_value(const FieldRef& value);  // a choice as its quoted name

template <class S>
std::string format_field(const Field<S>& field, const S& s) {
  return format_value(field.ref(s));
}

// The type in words: "boolean", "integer", "number", "string", "array of integers", "array of strings"
// (a choice is a string).
std::string_view type_name(const FieldRef& ref);

template <class S>
std::string_view field_type_name(const Field<S>& field) {
  const S s{};
  return type_name(field.ref(s));
}

// Copies the value `from` refers to into `to` (both of the same field).
void assign(const FieldRef& to, const FieldRef& from);

template <class S>
void copy_field(const Field<S>& field, const S& from, S& to) {
  assign(field.ref(to), field.ref(from));
}

// The help phrase with its rule: "MLP hidden layer sizes; each >= 1".
template <class S>
std::string field_meaning(const Field<S>& field) {
  const std::string rule = field.rule.describe();
  if (rule.empty()) return field.help;
  const bool each = std::holds_alternative<IntList S::*>(field.member);
  return field.help + "; " + (each ? "each " : "") + rule;
}

// --- checks ---------------------------------------------------------------------------------------------

// True when `value` satisfies `rule` (a choice always does).
bool satisfies(const FieldRule& rule, const FieldRef& value);

// Throws axtrain::Error unless `value` satisfies `rule`. The one-line message names `key` (the config key,
// e.g. "hardware.eval.p01") and `flag` (e.g. "--eval-p01"), the value, the rule and the fix.
void check_value(const FieldRule& rule, const std::string& key, const std::string& flag, const FieldRef& value);

// Sets the choice to `name`, or throws axtrain::Error with the message of check_value (names, the closest
// name, the key and the flag).
void set_choice(const ChoiceRef& choice, std::string_view name, const std::string& key, const std::string& flag);

// The closest of `candidates` to `name` by edit distance, or "" when none is close.
std::string closest_name(std::string_view name, const StringList& candidates);

}  // namespace axtrain
