// Reading TOML config files into field tables (util/fields.h). toml++ stays private to this file pair.
#pragma once

#include "axtrain/util/fields.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace axtrain {

// One table of a TOML file: its dotted path ("" = top level, "hardware.train") and its keys' targets.
struct TomlSection {
  std::string path;
  std::string flag_prefix;  // the flags of its keys are --<flag_prefix><key> (named in error messages)
  std::vector<std::pair<std::string, FieldRef>> keys;
  // A table of free keys instead (names such as multiplier specs), each a finite number: set, keys unused.
  std::map<std::string, double>* numbers = nullptr;
  // A table whose one key, the array of tables `layers`, is read into this string in the layer text form
  // (net/layer_graph.h): each table's `type` with its other keys as key=value, a residual's `body` (an array
  // of tables) nested in parentheses. The same path may also be a string key of the table above.
  std::string* layer_list = nullptr;
};

// Reads the TOML file at `path` into the targets; keys the file does not set keep their values. Returns
// "path.key" (just "key" at top level) of every key the file set. Throws axtrain::Error with one line for: an
// unreadable file; malformed TOML (file:line:column); a key or table that no section knows (names the file,
// line, the key, the closest known name and all known names); a value of the wrong type (names the key, the
// expected type and what the file has, e.g. "epochs: expected integer, got string; e.g. epochs = 3"); a choice
// that is not one of its names (as check_value words it).
std::set<std::string> read_toml_file(const std::string& path, const std::vector<TomlSection>& sections);

}  // namespace axtrain
