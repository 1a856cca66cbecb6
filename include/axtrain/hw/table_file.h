// Multiplier table files (SPEC 2.3): 256 x 256 products of 8-bit codes.
//   .bin : 65,536 little-endian 16-bit entries, index a*256 + b (TFApprox layout); unsigned by default.
//   text : 256 lines of 256 integers separated by spaces or commas; '#' starts a comment line.
// Signed tables always state their layout (the frameworks in the field disagree; we never guess):
//   signed=twos   : row/column = uint8(code), entries int16
//   signed=offset : row/column = code + 128, entries int16
#pragma once

#include "axtrain/hw/error_metrics.h"
#include "axtrain/hw/product_table.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace axtrain {

enum class SignedLayout { kTwos, kOffset };
enum class TableFormat { kBin, kText };

// The options of a `lut:PATH,key=value,...` spec. Example: "signed=twos,format=text,wce=14450".
struct TableOptions {
  std::optional<SignedLayout> layout;  // absent: unsigned table
  std::optional<TableFormat> format;   // absent: from the file name (.bin binary, anything else text)
  // Declared metrics (names from kErrorMetricNames) as written; each must match the table's own value at
  // the precision it is written with, or loading fails.
  std::vector<std::pair<std::string, std::string>> declared;
  bool operator==(const TableOptions&) const = default;
};

// Parses "key=value,..." (the part after the path). Throws axtrain::Error on unknown keys or values.
TableOptions parse_table_options(std::string_view options);
// Prints options back in the order given ("" when none).
std::string format_table_options(const TableOptions& options);

std::string_view layout_name(SignedLayout layout);
SignedLayout parse_layout(std::string_view name);       // "twos" | "offset"
TableFormat parse_table_format(std::string_view name);  // "bin" | "text"
TableFormat table_format_for(const std::string& path, const TableOptions& options);

// Loads, validates (size, entry range) and checks declared metrics. Throws axtrain::Error naming the file,
// the problem and the fix.
ProductTable load_table(const std::string& path, const TableOptions& options);

// The file content of a table in a format. A signed table needs a layout; an unsigned one takes none.
std::string encode_table(const ProductTable& table, TableFormat format, std::optional<SignedLayout> layout);
// Writes encode_table(...) atomically.
void save_table(const ProductTable& table, const std::string& path, TableFormat format,
                std::optional<SignedLayout> layout);

// Throws axtrain::Error when a declared metric differs from `actual` by more than half a unit in the last
// written digit of the declaration. `source` names the table in the message.
void check_declared_metrics(const ErrorMetrics& actual,
                            const std::vector<std::pair<std::string, std::string>>& declared,
                            const std::string& source);

}  // namespace axtrain
