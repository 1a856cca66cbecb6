#include "axtrain/util/fields.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace axtrain {
namespace {

std::string format_bound(double x) {
  return fmt::format("{}", x);
}

bool number_ok(const FieldRule& rule, double x) {
  if (rule.sentinel && x == *rule.sentinel) return true;
  if (!std::isfinite(x)) return false;
  if (rule.min && !(rule.min_open ? x > *rule.min : x >= *rule.min)) return false;
  if (rule.max && !(rule.max_open ? x < *rule.max : x <= *rule.max)) return false;
  return true;
}

bool in_choices(const FieldRule& rule, std::string_view text) {
  return rule.choices.empty() || std::find(rule.choices.begin(), rule.choices.end(), text) != rule.choices.end();
}

// `requirement` reads "must be >= 1" or "each element must be ...".
[[noreturn]] void fail_rule(const std::string& key, const std::string& flag, const std::string& value,
                            const std::string& requirement) {
  AXT_FAIL("{} = {} is invalid: {}; set the config key {} or the flag {} to such a value", key, value, requirement, key,
           flag);
}

[[noreturn]] void fail_choice(const FieldRule& rule, const std::string& key, const std::string& flag,
                              std::string_view text) {
  const std::string near = closest_name(text, rule.choices);
  fail_rule(
      key, flag, format_value(std::string(text)),
      "must be " + rule.describe() + (near.empty() ? "" : fmt::format(" (did you mean {}?)", format_value(near))));
}

}  // namespace

bool ChoiceRef::set_name(std::string_view name) const {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) {
      set(value, i);
      return true;
    }
  }
  return false;
}

FieldRule FieldRule::one_of(StringList choices) {
  FieldRule rule;
  rule.choices = std::move(choices);
  return rule;
}

FieldRule FieldRule::at_least(double min) {
  FieldRule rule;
  rule.min = min;
  return rule;
}

FieldRule FieldRule::greater_than(double min) {
  FieldRule rule = at_least(min);
  rule.min_open = true;
  return rule;
}

FieldRule FieldRule::between(double lo, double hi) {
  FieldRule rule = at_least(lo);
  rule.max = hi;
  return rule;
}

FieldRule FieldRule::half_open(double lo, double hi) {
  FieldRule rule = between(lo, hi);
  rule.max_open = true;
  return rule;
}

FieldRule FieldRule::checked(void (*check_fn)(const std::string& value), std::string words) {
  FieldRule rule;
  rule.check = check_fn;
  rule.text = std::move(words);
  return rule;
}

FieldRule FieldRule::or_value(double value) const {
  FieldRule rule = *this;
  rule.sentinel = value;
  return rule;
}

std::string FieldRule::describe() const {
  if (!text.empty()) return text;
  if (!choices.empty()) return "one of " + join(choices, ", ");
  std::string range;
  if (min && max)
    range = fmt::format("in {}{}, {}{}", min_open ? "(" : "[", format_bound(*min), format_bound(*max),
                        max_open ? ")" : "]");
  else if (min)
    range = fmt::format("{} {}", min_open ? ">" : ">=", format_bound(*min));
  else if (max)
    range = fmt::format("{} {}", max_open ? "<" : "<=", format_bound(*max));
  if (sentinel && !range.empty()) return fmt::format("{} or {}", format_bound(*sentinel), range);
  return range;
}

std::string format_value(bool value) {
  return value ? "true" : "false";
}
std::string format_value(int value) {
  return fmt::format("{}", value);
}

std::string format_value(double value) {
  std::string text = fmt::format("{}", value);  // shortest text that reads back to the same double
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // "1" -> "1.0"; inf and nan stay
  return text;
}

std::string format_value(const std::string& value) {
  std::string out = "\"";
  for (const char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string format_value(const IntList& value) {
  return fmt::format("[{}]", fmt::join(value, ", "));
}

std::string format_value(const StringList& value) {
  StringList quoted;
  for (const std::string& s : value) quoted.push_back(format_value(s));
  return "[" + join(quoted, ", ") + "]";
}

std::string format_value(const FieldRef& value) {
  return std::visit(
      [](const auto& v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, ChoiceRef>)
          return format_value(std::string(v.name()));
        else
          return format_value(*v);
      },
      value);
}

std::string_view type_name(const FieldRef& ref) {
  static constexpr std::string_view kNames[] = {"boolean",           "integer",          "number", "string",
                                                "array of integers", "array of strings", "string"};
  static_assert(std::variant_size_v<FieldRef> == std::size(kNames), "one name per FieldRef alternative");
  return kNames[ref.index()];
}

void assign(const FieldRef& to, const FieldRef& from) {
  AXT_ASSERT(to.index() == from.index());
  std::visit(
      [&from](const auto& target) {
        using T = std::decay_t<decltype(target)>;
        const T& source = std::get<T>(from);
        if constexpr (std::is_same_v<T, ChoiceRef>)
          target.set(target.value, source.get(source.value));
        else
          *target = *source;
      },
      to);
}

bool satisfies(const FieldRule& rule, const FieldRef& value) {
  if (const auto* i = std::get_if<int*>(&value)) return number_ok(rule, **i);
  if (const auto* d = std::get_if<double*>(&value)) return number_ok(rule, **d);
  if (const auto* list = std::get_if<IntList*>(&value))
    return std::all_of((*list)->begin(), (*list)->end(), [&](int x) { return number_ok(rule, x); });
  if (const auto* s = std::get_if<std::string*>(&value)) return in_choices(rule, **s);
  return true;
}

void check_value(const FieldRule& rule, const std::string& key, const std::string& flag, const FieldRef& value) {
  if (const auto* s = std::get_if<std::string*>(&value)) {
    const std::string& text = **s;
    if (!in_choices(rule, text)) fail_choice(rule, key, flag, text);
    if (rule.check) {
      try {
        rule.check(text);
      } catch (const Error& e) {
        AXT_FAIL("{} ({}): {}", key, flag, e.what());
      }
    }
  } else if (!satisfies(rule, value)) {
    const auto* d = std::get_if<double*>(&value);
    const bool infinite = d != nullptr && !std::isfinite(**d);  // inf passes "> 0": name the rule it breaks
    const std::string bound = rule.describe();
    fail_rule(key, flag, format_value(value),
              fmt::format("{}must be {}", std::holds_alternative<IntList*>(value) ? "each element " : "",
                          !infinite       ? bound
                          : bound.empty() ? "a finite number"
                                          : "a finite number, " + bound));
  }
}

void set_choice(const ChoiceRef& choice, std::string_view name, const std::string& key, const std::string& flag) {
  if (choice.set_name(name)) return;
  StringList names(choice.names.begin(), choice.names.end());
  fail_choice(FieldRule::one_of(std::move(names)), key, flag, name);
}

std::string closest_name(std::string_view name, const StringList& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    // Levenshtein distance, one row at a time.
    std::vector<std::size_t> row(candidate.size() + 1);
    for (std::size_t j = 0; j < row.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= name.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= candidate.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (name[i - 1] == candidate[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    if (row.back() < best_distance) {
      best_distance = row.back();
      best = candidate;
    }
  }
  return best;
}

}  // namespace axtrain
