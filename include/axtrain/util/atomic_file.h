// Writes that matter are atomic: the content goes to a temporary file beside the target, is flushed,
// and is renamed over the target, and the folder is synced. A reader sees the old file or the new one, never half of
// one.
#pragma once

#include <string>
#include <string_view>

namespace axtrain {

// Writes `content` to `path` atomically. Throws axtrain::Error naming the path if it cannot.
void write_file_atomic(const std::string& path, std::string_view content);

// fsync(2) on a folder, so that the renames inside it are durable. Best effort: errors are ignored.
void sync_directory(const std::string& dir);

// Removes the temporary files an interrupted write_file_atomic left in `dir` (NAME.tmp.XXXXXX); returns how
// many. Call it only while holding the folder (FolderLock): another writer's temporaries look the same.
int remove_stale_temporaries(const std::string& dir);

// Reads a whole file. Throws axtrain::Error naming the path if it cannot be opened or read.
std::string read_file(const std::string& path);

}  // namespace axtrain
