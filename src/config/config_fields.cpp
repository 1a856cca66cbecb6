#include "axtrain/config/config_fields.h"

#include "axtrain/util/check.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>

namespace axtrain {
namespace {

std::string join(const StringList& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

std::string format_bound(double x) { return fmt::format("{}", x); }

bool number_ok(const FieldRule& rule, double x) {
  if (rule.sentinel && x == *rule.sentinel) return true;
  if (!std::isfinite(x)) return false;
  if (rule.min && !(rule.min_open ? x > *rule.min : x >= *rule.min)) return false;
  if (rule.max && !(rule.max_open ? x < *rule.max : x <= *rule.max)) return false;
  return true;
}

[[noreturn]] void fail_rule(const FieldRule& rule, const std::string& key, const std::string& flag,
                            const std::string& value, std::string_view each = "", const std::string& hint = "") {
  AXT_FAIL("{} = {} is invalid: {}must be {}{}; set the config key {} or the flag {} to such a value", key, value,
           each, rule.describe(), hint, key, flag);
}

// --- TOML reading ---------------------------------------------------------------------------------------

std::string_view toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    default: return "nothing";
  }
}

std::string where(const std::string& file, const toml::node& node) {
  const auto line = node.source().begin.line;
  return line > 0 ? fmt::format("{}:{}", file, line) : file;
}

std::string one_line(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

// Reads one value into `target`; throws when the node has the wrong type.
class ValueReader {
 public:
  ValueReader(const std::string& file, const std::string& key, const toml::node& node)
      : file_(file), key_(key), node_(node) {}

  void operator()(bool* target) const {
    if (!node_.is_boolean()) fail(target, toml_type_name(node_));
    *target = node_.as_boolean()->get();
  }
  void operator()(int* target) const {
    if (!node_.is_integer()) fail(target, toml_type_name(node_));
    *target = to_int(node_);
  }
  void operator()(double* target) const {
    if (node_.is_floating_point())
      *target = node_.as_floating_point()->get();
    else if (node_.is_integer())
      *target = static_cast<double>(node_.as_integer()->get());
    else
      fail(target, toml_type_name(node_));
  }
  void operator()(std::string* target) const {
    if (!node_.is_string()) fail(target, toml_type_name(node_));
    *target = node_.as_string()->get();
  }
  void operator()(IntList* target) const {
    IntList values;
    for (const toml::node& element : array(target)) {
      if (!element.is_integer()) fail(target, fmt::format("an array holding a {}", toml_type_name(element)));
      values.push_back(to_int(element));
    }
    *target = std::move(values);
  }
  void operator()(StringList* target) const {
    StringList values;
    for (const toml::node& element : array(target)) {
      if (!element.is_string()) fail(target, fmt::format("an array holding a {}", toml_type_name(element)));
      values.push_back(element.as_string()->get());
    }
    *target = std::move(values);
  }

 private:
  template <class T>
  const toml::array& array(T* target) const {
    if (!node_.is_array()) fail(target, toml_type_name(node_));
    return *node_.as_array();
  }

  int to_int(const toml::node& node) const {
    const std::int64_t value = node.as_integer()->get();
    AXT_CHECK(value >= std::numeric_limits<int>::min() && value <= std::numeric_limits<int>::max(),
              "{}: {} = {} is out of range: an integer here must lie in [{}, {}]", where(file_, node), key_, value,
              std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    return static_cast<int>(value);
  }

  template <class T>
  [[noreturn]] void fail(T* target, std::string_view got) const {
    AXT_FAIL("{}: {}: expected {}, got {}; e.g. {} = {}", where(file_, node_), key_, type_name(FieldRef(target)), got,
             key_.substr(key_.rfind('.') + 1), format_value(*target));
  }

  const std::string& file_;
  const std::string& key_;
  const toml::node& node_;
};

class TomlWalker {
 public:
  TomlWalker(const std::string& file, const std::vector<TomlSection>& sections) : file_(file), sections_(sections) {}

  void read(const toml::table& table, const std::string& path) {
    const TomlSection* section = find_section(path);
    for (auto&& [name, node] : table) {
      const std::string key(name.str());
      const std::string full = path.empty() ? key : path + "." + key;
      if (section) {
        const auto it = std::find_if(section->keys.begin(), section->keys.end(),
                                     [&](const auto& entry) { return entry.first == key; });
        if (it != section->keys.end()) {
          std::visit(ValueReader(file_, full, node), it->second);
          set_.insert(full);
          continue;
        }
      }
      if (is_table_path(full)) {
        AXT_CHECK(node.is_table(), "{}: {} must be a table, got {}; write it as a section, e.g. [{}]",
                  where(file_, node), full, toml_type_name(node), first_section_under(full));
        read(*node.as_table(), full);
        continue;
      }
      fail_unknown(path, section, key, node);
    }
  }

  std::set<std::string> set() && { return std::move(set_); }

 private:
  const TomlSection* find_section(const std::string& path) const {
    for (const TomlSection& s : sections_)
      if (s.path == path) return &s;
    return nullptr;
  }
  // True when `path` is a section or a table above one ("hardware" above "hardware.train").
  bool is_table_path(const std::string& path) const {
    return std::any_of(sections_.begin(), sections_.end(), [&](const TomlSection& s) {
      return s.path == path || s.path.starts_with(path + ".");
    });
  }
  std::string first_section_under(const std::string& path) const {
    for (const TomlSection& s : sections_)
      if (s.path.starts_with(path + ".") || s.path == path) return s.path;
    return path;
  }

  [[noreturn]] void fail_unknown(const std::string& path, const TomlSection* section, const std::string& key,
                                 const toml::node& node) const {
    const std::string full = path.empty() ? key : path + "." + key;
    const std::string in = path.empty() ? "" : fmt::format(" in [{}]", path);
    if (node.is_table()) {
      StringList tables;
      StringList near_candidates;  // the sections and the tables above them ("hardware")
      for (const TomlSection& s : sections_) {
        if (s.path.empty()) continue;
        tables.push_back(s.path);
        for (std::size_t dot = s.path.find('.'); dot != std::string::npos; dot = s.path.find('.', dot + 1))
          near_candidates.push_back(s.path.substr(0, dot));
        near_candidates.push_back(s.path);
      }
      const std::string near = closest_name(full, near_candidates);
      AXT_FAIL("{}: unknown table [{}]{}; known tables: [{}]", where(file_, node), full,
               near.empty() ? "" : fmt::format(" (did you mean [{}]?)", near), join(tables, "], ["));
    }
    StringList known;
    if (section)
      for (const auto& entry : section->keys) known.push_back(entry.first);
    for (const TomlSection& s : sections_) {  // child tables of this one
      const std::string prefix = path.empty() ? "" : path + ".";
      if (s.path.size() > prefix.size() && s.path.starts_with(prefix)) {
        const std::string child = s.path.substr(prefix.size(), s.path.find('.', prefix.size()) - prefix.size());
        if (std::find(known.begin(), known.end(), child) == known.end()) known.push_back(child);
      }
    }
    const std::string near = closest_name(key, known);
    AXT_FAIL("{}: unknown key '{}'{}{}; known keys: {}", where(file_, node), key, in,
             near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near), join(known, ", "));
  }

  const std::string& file_;
  const std::vector<TomlSection>& sections_;
  std::set<std::string> set_;
};

}  // namespace

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

std::string format_value(bool value) { return value ? "true" : "false"; }
std::string format_value(int value) { return fmt::format("{}", value); }

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

std::string format_value(const IntList& value) { return fmt::format("[{}]", fmt::join(value, ", ")); }

std::string format_value(const StringList& value) {
  StringList quoted;
  for (const std::string& s : value) quoted.push_back(format_value(s));
  return "[" + join(quoted, ", ") + "]";
}

std::string_view type_name(const FieldRef& ref) {
  static constexpr std::string_view kNames[] = {"boolean", "integer", "number",
                                                "string", "array of integers", "array of strings"};
  static_assert(std::variant_size_v<FieldRef> == std::size(kNames), "one name per FieldRef alternative");
  return kNames[ref.index()];
}

void check_value(const FieldRule& rule, const std::string& key, const std::string& flag, const FieldRef& value) {
  if (const auto* i = std::get_if<int*>(&value)) {
    if (!number_ok(rule, **i)) fail_rule(rule, key, flag, format_value(**i));
  } else if (const auto* d = std::get_if<double*>(&value)) {
    if (!number_ok(rule, **d)) fail_rule(rule, key, flag, format_value(**d));
  } else if (const auto* list = std::get_if<IntList*>(&value)) {
    for (const int x : **list)
      if (!number_ok(rule, x)) fail_rule(rule, key, flag, format_value(**list), "each element ");
  } else if (const auto* s = std::get_if<std::string*>(&value)) {
    const std::string& text = **s;
    if (!rule.choices.empty() && std::find(rule.choices.begin(), rule.choices.end(), text) == rule.choices.end()) {
      const std::string near = closest_name(text, rule.choices);
      fail_rule(rule, key, flag, format_value(text), "", near.empty() ? "" : fmt::format(" (did you mean {}?)", format_value(near)));
    }
    if (rule.check) {
      try {
        rule.check(text);
      } catch (const Error& e) {
        AXT_FAIL("{} ({}): {}", key, flag, e.what());
      }
    }
  }
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

CLI::Option* add_field_option(CLI::App& cmd, const std::string& flag, const std::string& alias,
                              const FieldRef& target, const std::string& description, const FieldRule& rule) {
  std::string names = "--" + flag;
  if (flag.find('_') != std::string::npos) {
    std::string hyphenated = flag;
    std::replace(hyphenated.begin(), hyphenated.end(), '_', '-');
    names += ",--" + hyphenated;
  }
  if (!alias.empty()) names += ",--" + alias;
  const std::string choices = join(rule.choices, "|");
  return std::visit(
      [&](auto* value) -> CLI::Option* {
        using T = std::remove_pointer_t<decltype(value)>;
        if constexpr (std::is_same_v<T, bool>) {
          return cmd.add_flag(names, *value, description);
        } else if constexpr (std::is_same_v<T, IntList> || std::is_same_v<T, StringList>) {
          return cmd.add_option(names, *value, description)->delimiter(',')->type_name(
              std::is_same_v<T, IntList> ? "INT,..." : "TEXT,...");
        } else {
          CLI::Option* option = cmd.add_option(names, *value, description);
          if (!choices.empty()) option->type_name(choices);
          return option;
        }
      },
      target);
}

std::set<std::string> read_toml_file(const std::string& path, const std::vector<TomlSection>& sections) {
  AXT_CHECK(std::ifstream(path).good(), "cannot read config file '{}'; check the path given to --config", path);
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    AXT_FAIL("{}:{}:{}: malformed TOML: {}; fix the syntax (docs/config.md has an example)", path,
             e.source().begin.line, e.source().begin.column, one_line(e.description()));
  }
  TomlWalker walker(path, sections);
  walker.read(root, "");
  return std::move(walker).set();
}

}  // namespace axtrain
