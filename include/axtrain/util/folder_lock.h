// One writer per folder: an exclusive flock(2) on DIR/.lock, held for the object's life. The kernel releases
// it when the process ends in any way, so a killed run never leaves a stale lock behind.
#pragma once

#include <string>

namespace axtrain {

class FolderLock {
 public:
  // Locks the existing folder `dir` for `holder` (a description such as "axtrain train"), and writes the
  // process id and the holder into the lock file. Throws axtrain::Error naming the process that holds the
  // lock, or the reason the lock file cannot be opened.
  FolderLock(const std::string& dir, const std::string& holder);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace axtrain
