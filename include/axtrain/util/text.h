// Small text helpers shared by the file readers and the report writer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

// `s` without leading and trailing spaces, tabs and carriage returns.
std::string_view trim(std::string_view s);

// The items with `separator` between them: join({"a", "b"}, ", ") == "a, b".
std::string join(const std::vector<std::string>& items, std::string_view separator);

// `s` safe to quote in a one-line message: control and non-ASCII bytes as \xNN, and at most `max_chars`
// characters of it, cut with "..." (the count before escaping).
std::string printable(std::string_view s, std::size_t max_chars = 60);
// The first non-blank line of a library's multi-line message (libtorch's errors start with a newline and end
// with a stack trace), trimmed and printable(.., 160).
std::string first_line(std::string_view message);

// A fingerprint of `text`: its 64-bit FNV-1a hash as 16 lowercase hex digits (stable across runs and machines;
// for telling configurations apart, not for security).
std::string fingerprint(std::string_view text);

// One line of a text: its 1-based number and its content without the '\n' (a trailing '\r' is kept; trim it).
struct TextLine {
  int number = 0;
  std::string_view text;
  bool terminated = true;  // false for a last line without its '\n'
};

// Every line of `text` (views into it), blank ones included. An empty text has no lines; a text ending in
// '\n' has no empty line after it.
std::vector<TextLine> split_lines(std::string_view text);

}  // namespace axtrain
