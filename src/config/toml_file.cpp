#include "axtrain/config/toml_file.h"

#include "axtrain/net/layer_graph.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace axtrain {
namespace {

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
  ValueReader(const std::string& file, const std::string& key, const std::string& flag, const toml::node& node)
      : file_(file), key_(key), flag_(flag), node_(node) {}

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
  void operator()(const ChoiceRef& target) const {
    if (!node_.is_string()) fail(target, toml_type_name(node_));
    try {
      set_choice(target, node_.as_string()->get(), key_, flag_);
    } catch (const Error& e) {
      AXT_FAIL("{}: {}", where(file_, node_), e.what());
    }
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
  const toml::array& array(const FieldRef& target) const {
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

  [[noreturn]] void fail(const FieldRef& target, std::string_view got) const {
    AXT_FAIL("{}: {}: expected {}, got {}; e.g. {} = {}", where(file_, node_), key_, type_name(target), got,
             key_.substr(key_.rfind('.') + 1), format_value(target));
  }

  const std::string& file_;
  const std::string& key_;
  const std::string& flag_;
  const toml::node& node_;
};

class TomlWalker {
 public:
  TomlWalker(const std::string& file, const std::vector<TomlSection>& sections) : file_(file), sections_(sections) {}

  void read(const toml::table& table, const std::string& path) {
    const TomlSection* section = find_section(path);
    for (auto&& [name, node] : table) {
      const std::string key(name.str());
      const std::string full = path.empty() ? key : std::string(path).append(".").append(key);
      if (section && section->numbers != nullptr && !node.is_table()) {
        const double value = node.is_integer()          ? static_cast<double>(node.as_integer()->get())
                             : node.is_floating_point() ? node.as_floating_point()->get()
                                                        : std::nan("");
        AXT_CHECK(std::isfinite(value), "{}: [{}] \"{}\": expected a finite number, got {}; e.g. \"{}\" = 0.2",
                  where(file_, node), path, printable(key), toml_type_name(node), printable(key));
        (*section->numbers)[key] = value;
        set_.insert(full);
        continue;
      }
      if (const TomlSection* list = find_section(full); list && list->layer_list != nullptr && node.is_table()) {
        *list->layer_list = layer_list_text(*node.as_table(), full);
        set_.insert(full);
        continue;
      }
      if (section) {
        const auto it = std::find_if(section->keys.begin(), section->keys.end(),
                                     [&](const auto& entry) { return entry.first == key; });
        if (it != section->keys.end()) {
          const std::string flag = "--" + section->flag_prefix + key;
          std::visit(ValueReader(file_, full, flag, node), it->second);
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
  std::string layer_list_text(const toml::table& table, const std::string& path) const {
    for (auto&& [name, node] : table)
      AXT_CHECK(name.str() == "layers",
                "{}: unknown key '{}' in [{}]; it holds only the array of tables "
                "[[{}.layers]], one per layer",
                where(file_, node), printable(std::string(name.str())), path, path);
    const toml::node* layers = table.get("layers");
    AXT_CHECK(layers != nullptr, "[{}] has no layers; give one [[{}.layers]] table per layer, e.g. type = \"linear\"",
              path, path);
    std::string text = tables_text(*layers, path + ".layers");
    try {  // the canonical text form, as the run's config echoes it; a list that does not parse is named as written
      return layers_text(parse_layers(text));
    } catch (const Error&) {
      return text;
    }
  }
  std::string tables_text(const toml::node& node, const std::string& path) const {
    AXT_CHECK(node.is_array_of_tables(), "{}: {} must be an array of tables, got {}; write each layer as [[{}]]",
              where(file_, node), path, toml_type_name(node), path);
    std::string text;
    for (const toml::node& element : *node.as_array()) {
      const toml::table& layer = *element.as_table();
      const toml::node* type = layer.get("type");
      AXT_CHECK(type != nullptr && type->is_string(),
                "{}: a [[{}]] table needs type = \"...\" (conv, linear, "
                "maxpool, avgpool, gap, bn, relu, relu6, tanh, sigmoid, flatten, dropout, res)",
                where(file_, element), path);
      std::string args;
      for (auto&& [name, value] : layer) {
        const std::string key(name.str());
        if (key == "type") continue;
        if (key == "body") {
          AXT_CHECK(type->as_string()->get() == "res" || type->as_string()->get() == "residual",
                    "{}: {}.body: only a residual layer (type = \"res\") has a body", where(file_, value), path);
          args = tables_text(value, path + ".body");
          continue;
        }
        std::string v;
        if (value.is_integer())
          v = std::to_string(value.as_integer()->get());
        else if (value.is_floating_point())
          v = fmt::format("{}", value.as_floating_point()->get());
        else if (value.is_boolean())
          v = value.as_boolean()->get() ? "true" : "false";
        else
          AXT_FAIL("{}: {}.{}: expected a number or boolean, got {}; e.g. out = 16", where(file_, value), path,
                   printable(key), toml_type_name(value));
        args += (args.empty() ? "" : ",") + printable(key) + "=" + v;
      }
      const std::string layer_text = type->as_string()->get() + (args.empty() ? "" : "(" + args + ")");
      text += (text.empty() ? "" : " ") + layer_text;
    }
    return text;
  }

  const TomlSection* find_section(const std::string& path) const {
    for (const TomlSection& s : sections_)
      if (s.path == path) return &s;
    return nullptr;
  }
  // True when `path` is a section or a table above one ("hardware" above "hardware.train").
  bool is_table_path(const std::string& path) const {
    return std::any_of(sections_.begin(), sections_.end(),
                       [&](const TomlSection& s) { return s.path == path || s.path.starts_with(path + "."); });
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
    AXT_FAIL("{}: unknown key '{}'{}{}; known keys: {}", where(file_, node), printable(key), in,
             near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near), join(known, ", "));
  }

  const std::string& file_;
  const std::vector<TomlSection>& sections_;
  std::set<std::string> set_;
};

}  // namespace

std::set<std::string> read_toml_file(const std::string& path, const std::vector<TomlSection>& sections) {
  std::string text;
  try {
    text = read_file(path);   // refuses folders and devices (/dev/zero would never end)
  } catch (const Error& e) {  // "cannot read 'PATH': why; fix" as "cannot read config file 'PATH': why; fix"
    const std::string what = e.what(), prefix = fmt::format("cannot read '{}': ", path);
    AXT_FAIL("cannot read config file '{}': {}", path, what.starts_with(prefix) ? what.substr(prefix.size()) : what);
  }
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    AXT_FAIL("{}:{}:{}: malformed TOML: {}; fix the syntax (docs/config.md has an example)", path,
             e.source().begin.line, e.source().begin.column, one_line(e.description()));
  }
  TomlWalker walker(path, sections);
  walker.read(root, "");
  return std::move(walker).set();
}

}  // namespace axtrain
