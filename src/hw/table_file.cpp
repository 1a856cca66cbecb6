#include "axtrain/hw/table_file.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace axtrain {
namespace {

constexpr int kN = ProductTable::kSize;
constexpr std::size_t kEntries = static_cast<std::size_t>(kN) * kN;

// Storage position (row or column 0..255) of the operand at `index` (ProductTable order) in a layout.
int storage_of(int index, bool is_signed, std::optional<SignedLayout> layout) {
  if (!is_signed || *layout == SignedLayout::kOffset) return index;
  return (index + 128) & 255;  // twos: uint8(code) with code = index - 128
}

void check_layout_fits(bool is_signed, std::optional<SignedLayout> layout, const std::string& what) {
  AXT_CHECK(!is_signed || layout, "{} is a signed table; say its layout with signed=twos or signed=offset", what);
  AXT_CHECK(is_signed || !layout, "{} is an unsigned table; it takes no signed= layout", what);
}

std::vector<std::int32_t> decode_bin(const std::string& bytes, const std::string& path, bool is_signed) {
  AXT_CHECK(bytes.size() % 2 == 0,
            "table file '{}' has {} bytes, not a whole number of 16-bit entries; a .bin "
            "table holds 65536 little-endian 16-bit entries (131072 bytes)",
            path, bytes.size());
  AXT_CHECK(bytes.size() == 2 * kEntries,
            "table file '{}' has {} entries ({} bytes); an 8x8 multiplier table "
            "needs 65536 16-bit entries (131072 bytes)",
            path, bytes.size() / 2, bytes.size());
  std::vector<std::int32_t> raw(kEntries);
  for (std::size_t i = 0; i < kEntries; ++i) {
    const auto lo = static_cast<unsigned char>(bytes[2 * i]);
    const auto hi = static_cast<unsigned char>(bytes[2 * i + 1]);
    const int u = lo | (hi << 8);
    raw[i] = is_signed && u >= 32768 ? u - 65536 : u;
  }
  return raw;
}

std::vector<std::int32_t> decode_text(const std::string& text, const std::string& path, bool is_signed) {
  const long lo = is_signed ? -32768 : 0;
  const long hi = is_signed ? 32767 : 65535;
  std::vector<std::int32_t> raw;
  raw.reserve(kEntries);
  int rows = 0;
  for (const TextLine& text_line : split_lines(text)) {
    const std::string_view line = text_line.text;
    const int line_no = text_line.number;
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    AXT_CHECK(rows < kN, "table file '{}' line {}: more than 256 rows; a table has 256 rows of 256 entries", path,
              line_no);
    int cols = 0;
    const char* p = line.data();
    const char* end = line.data() + line.size();
    while (true) {
      while (p < end && (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r')) ++p;
      if (p == end) break;
      long value = 0;
      const auto [next, ec] = std::from_chars(p, end, value);
      AXT_CHECK(ec == std::errc() && (next == end || std::string_view(" \t,\r").find(*next) != std::string_view::npos),
                "table file '{}' line {}: '{}' is not an integer; entries are integers separated by spaces or "
                "commas",
                path, line_no, printable(std::string_view(p, std::find_if(p, end, [](char c) {
                                                            return c == ' ' || c == ',' || c == '\t';
                                                          }))));
      AXT_CHECK(value >= lo && value <= hi,
                "table file '{}' line {}: entry {} is outside {}..{} for an {} table; "
                "fix the entry{}",
                path, line_no, value, lo, hi, is_signed ? "int16 (signed)" : "uint16 (unsigned)",
                is_signed ? "" : ", or add signed=twos|offset if the table is signed");
      AXT_CHECK(cols < kN, "table file '{}' line {}: more than 256 entries; each row has 256", path, line_no);
      raw.push_back(static_cast<std::int32_t>(value));
      ++cols;
      p = next;
    }
    AXT_CHECK(cols == kN, "table file '{}' line {}: {} entries; each row needs 256", path, line_no, cols);
    ++rows;
  }
  AXT_CHECK(rows == kN, "table file '{}' has {} rows; a table needs 256 rows of 256 entries", path, rows);
  return raw;
}

// Tolerance of a declared value: half a unit in its last written digit ("0.0328" -> 5e-5, "14450" -> 0.5).
double declared_tolerance(const std::string& text) {
  const auto e_pos = text.find_first_of("eE");
  const std::string mantissa = text.substr(0, e_pos);
  const int exponent = e_pos == std::string::npos ? 0 : std::atoi(text.c_str() + e_pos + 1);
  const auto dot = mantissa.find('.');
  const int decimals = dot == std::string::npos ? 0 : static_cast<int>(mantissa.size() - dot - 1);
  return 0.5 * std::pow(10.0, exponent - decimals);
}

}  // namespace

std::string_view layout_name(SignedLayout layout) {
  return layout == SignedLayout::kTwos ? "twos" : "offset";
}

SignedLayout parse_layout(std::string_view name) {
  if (name == "twos") return SignedLayout::kTwos;
  if (name == "offset") return SignedLayout::kOffset;
  AXT_FAIL(
      "signed layout '{}' is unknown; use signed=twos (index uint8(a)*256+uint8(b)) or signed=offset "
      "(index (a+128)*256+(b+128))",
      printable(name));
}

TableFormat parse_table_format(std::string_view name) {
  if (name == "bin") return TableFormat::kBin;
  if (name == "text") return TableFormat::kText;
  AXT_FAIL("table format '{}' is unknown; use format=bin (65536 little-endian 16-bit entries) or format=text",
           printable(name));
}

TableFormat table_format_for(const std::string& path, const TableOptions& options) {
  if (options.format) return *options.format;
  return path.size() >= 4 && path.compare(path.size() - 4, 4, ".bin") == 0 ? TableFormat::kBin : TableFormat::kText;
}

TableOptions parse_table_options(std::string_view options) {
  TableOptions result;
  std::size_t start = 0;
  while (start <= options.size() && !options.empty()) {
    std::size_t end = options.find(',', start);
    if (end == std::string_view::npos) end = options.size();
    const std::string_view item = options.substr(start, end - start);
    const auto eq = item.find('=');
    AXT_CHECK(eq != std::string_view::npos && eq > 0 && eq + 1 < item.size(),
              "table option '{}' is not key=value; e.g. lut:m.bin,signed=twos", printable(item));
    const std::string_view key = item.substr(0, eq);
    const std::string value(item.substr(eq + 1));
    if (key == "signed") {
      result.layout = parse_layout(value);
    } else if (key == "format") {
      result.format = parse_table_format(value);
    } else if (std::find(kErrorMetricNames.begin(), kErrorMetricNames.end(), key) != kErrorMetricNames.end()) {
      double parsed = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      AXT_CHECK(ec == std::errc() && ptr == value.data() + value.size(),
                "declared metric {}='{}' is not a number; e.g. wce=14450 or mred=0.0328", key, printable(value));
      result.declared.emplace_back(std::string(key), value);
    } else {
      AXT_FAIL(
          "table option '{}' is unknown; known: signed=twos|offset, format=bin|text, and declared metrics "
          "er, med, nmed, mred, wce, mse, mean_error, error_rank",
          printable(key));
    }
    start = end + 1;
  }
  return result;
}

std::string format_table_options(const TableOptions& options) {
  std::string out;
  auto add = [&out](std::string_view key, std::string_view value) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}={}", key, value);
  };
  if (options.layout) add("signed", layout_name(*options.layout));
  if (options.format) add("format", *options.format == TableFormat::kBin ? "bin" : "text");
  for (const auto& [key, value] : options.declared) add(key, value);
  return out;
}

ProductTable load_table(const std::string& path, const TableOptions& options) {
  const bool is_signed = options.layout.has_value();
  const std::string bytes = read_file(path);
  const std::vector<std::int32_t> raw = table_format_for(path, options) == TableFormat::kBin
                                            ? decode_bin(bytes, path, is_signed)
                                            : decode_text(bytes, path, is_signed);
  std::vector<std::int32_t> products(kEntries);
  for (int ia = 0; ia < kN; ++ia)
    for (int ib = 0; ib < kN; ++ib)
      products[ia * kN + ib] =
          raw[storage_of(ia, is_signed, options.layout) * kN + storage_of(ib, is_signed, options.layout)];
  ProductTable table(is_signed, std::move(products));
  if (!options.declared.empty()) check_declared_metrics(compute_error_metrics(table), options.declared, path);
  return table;
}

std::string encode_table(const ProductTable& table, TableFormat format, std::optional<SignedLayout> layout) {
  check_layout_fits(table.is_signed(), layout, "the table to write");
  const int lo = table.is_signed() ? -32768 : 0;
  const int hi = table.is_signed() ? 32767 : 65535;
  std::vector<std::int32_t> raw(kEntries);
  for (int ia = 0; ia < kN; ++ia) {
    for (int ib = 0; ib < kN; ++ib) {
      const std::int32_t value = table.at(ia, ib);
      AXT_CHECK(value >= lo && value <= hi, "product {} at codes ({}, {}) does not fit a 16-bit table entry", value,
                table.code_of(ia), table.code_of(ib));
      raw[storage_of(ia, table.is_signed(), layout) * kN + storage_of(ib, table.is_signed(), layout)] = value;
    }
  }
  std::string out;
  if (format == TableFormat::kBin) {
    out.resize(2 * kEntries);
    for (std::size_t i = 0; i < kEntries; ++i) {
      const auto u = static_cast<std::uint16_t>(raw[i]);
      out[2 * i] = static_cast<char>(u & 0xFF);
      out[2 * i + 1] = static_cast<char>(u >> 8);
    }
    return out;
  }
  out.reserve(kEntries * 6);
  for (int r = 0; r < kN; ++r) {
    for (int c = 0; c < kN; ++c) {
      if (c) out += ' ';
      out += std::to_string(raw[r * kN + c]);
    }
    out += '\n';
  }
  return out;
}

void save_table(const ProductTable& table, const std::string& path, TableFormat format,
                std::optional<SignedLayout> layout) {
  write_file_atomic(path, encode_table(table, format, layout));
}

void check_declared_metrics(const ErrorMetrics& actual,
                            const std::vector<std::pair<std::string, std::string>>& declared,
                            const std::string& source) {
  for (const auto& [name, text] : declared) {
    const double want = std::strtod(text.c_str(), nullptr);
    const double got = error_metric(actual, name);
    const double tolerance = declared_tolerance(text) + 1e-12 * std::abs(want);
    AXT_CHECK(std::abs(got - want) <= tolerance,
              "table '{}' declares {}={} but its entries give {:.6g} (difference {:.3g}, allowed {:.3g} at the "
              "declared precision); check the file, its signed= layout and operand order, or fix the declaration",
              source, name, text, got, std::abs(got - want), tolerance);
  }
}

}  // namespace axtrain
