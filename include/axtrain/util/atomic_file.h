// Writes that matter are atomic: the content goes to a temporary file beside the target, is flushed,
// and is renamed over the target. A reader sees the old file or the new one, never half of one.
#pragma once

#include <string>
#include <string_view>

namespace axtrain {

// Writes `content` to `path` atomically. Throws axtrain::Error naming the path if it cannot.
void write_file_atomic(const std::string& path, std::string_view content);

// Reads a whole file. Throws axtrain::Error naming the path if it cannot be opened or read.
std::string read_file(const std::string& path);

}  // namespace axtrain
