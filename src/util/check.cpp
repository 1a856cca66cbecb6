#include "axtrain/util/check.h"

#include <cstdio>
#include <cstdlib>

namespace axtrain {

void assert_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "axtrain: internal error: assertion '%s' failed at %s:%d\n", condition, file, line);
  std::abort();
}

}  // namespace axtrain
