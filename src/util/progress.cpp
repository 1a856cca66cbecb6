#include "axtrain/util/progress.h"

#include <cstdio>

#include <unistd.h>

namespace axtrain {

Progress Progress::for_terminal(bool quiet) {
  return Progress(!quiet && ::isatty(STDERR_FILENO));
}

void Progress::line(const std::string& text) const {
  if (enabled_) std::fprintf(stderr, "\r\033[K%s\n", text.c_str());
}

void Progress::status(const std::string& text) const {
  if (enabled_) std::fprintf(stderr, "\r\033[K%s", text.c_str());
}

}  // namespace axtrain
