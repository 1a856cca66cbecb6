// What every fuzz target shares: the input as a file for the readers that take a path, and the one failure
// a reader may report for bad input, axtrain::Error (the CLI prints it as one line and exits 2). Any other
// exception escapes the target and libFuzzer reports it as a crash, as it does a signal or a sanitizer
// finding.
#pragma once

#include "axtrain/util/check.h"

#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace axtrain::fuzz {

// A private folder under $TMPDIR (or /tmp), removed when the process exits normally.
inline const std::string& scratch_folder() {
  struct Folder {
    std::string path;
    Folder() {
      const char* tmp = std::getenv("TMPDIR");
      std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/axtrain-fuzz-XXXXXX";
      if (::mkdtemp(pattern.data()) == nullptr) std::abort();
      path = pattern;
    }
    ~Folder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Folder folder;
  return folder.path;
}

// Writes the bytes to scratch_folder()/input<suffix> (the suffix picks a reader's format: ".gz", ".bin")
// and returns the path.
inline std::string input_file(const std::uint8_t* data, std::size_t size, std::string_view suffix) {
  const std::string path = scratch_folder() + "/input" + std::string(suffix);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

// Runs `read`; an axtrain::Error is the expected answer to bad input and is swallowed.
template <class Read>
void expect_success_or_user_error(Read&& read) {
  try {
    read();
  } catch (const Error&) {
  }
}

}  // namespace axtrain::fuzz
