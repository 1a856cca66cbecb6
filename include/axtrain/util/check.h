// Two kinds of failure.
//   AXT_CHECK(cond, fmt, args...): a user error (bad input, config, file). Throws axtrain::Error whose
//     message names the value, the rule and the fix; the CLI prints it on one line and exits 2.
//   AXT_ASSERT(cond): an internal invariant. Prints file:line and aborts; never caused by user input.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace axtrain {

// A user error: the message is one line that names the value, the rule and the fix.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

[[noreturn]] void assert_failed(const char* condition, const char* file, int line);

}  // namespace axtrain

#define AXT_CHECK(cond, ...)                                       \
  do {                                                             \
    if (!(cond)) throw ::axtrain::Error(fmt::format(__VA_ARGS__)); \
  } while (false)

#define AXT_FAIL(...) throw ::axtrain::Error(fmt::format(__VA_ARGS__))

#define AXT_ASSERT(cond)                                              \
  do {                                                                \
    if (!(cond)) ::axtrain::assert_failed(#cond, __FILE__, __LINE__); \
  } while (false)
