#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace axtrain {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::vector<TextLine> split_lines(std::string_view text) {
  std::vector<TextLine> lines;
  std::size_t start = 0;
  for (int number = 1; start < text.size(); ++number) {
    const std::size_t end = text.find('\n', start);
    const bool terminated = end != std::string_view::npos;
    lines.push_back({number, text.substr(start, terminated ? end - start : std::string_view::npos), terminated});
    start = terminated ? end + 1 : text.size();
  }
  return lines;
}

std::string printable(std::string_view s, std::size_t max_chars) {
  std::string out;
  const std::size_t shown = std::min(s.size(), max_chars);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F)
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  if (shown < s.size()) out += "...";
  return out;
}

std::string fingerprint(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a offset basis and prime
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", hash);
}

std::string first_line(std::string_view message) {
  for (const TextLine& line : split_lines(message))
    if (!trim(line.text).empty()) return printable(trim(line.text), 160);
  return "";
}

}  // namespace axtrain
