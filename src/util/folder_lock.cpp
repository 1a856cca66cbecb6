#include "axtrain/util/folder_lock.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace axtrain {

FolderLock::FolderLock(const std::string& dir, const std::string& holder) {
  const std::string path = dir + "/.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  AXT_CHECK(fd_ >= 0, "cannot lock '{}': {}; check that the folder is writable", dir, std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char text[256] = {};
    const ssize_t n = ::pread(fd_, text, sizeof(text) - 1, 0);
    ::close(fd_);
    fd_ = -1;
    AXT_CHECK(err == EWOULDBLOCK, "cannot lock '{}': {}", dir, std::strerror(err));
    std::string other = n > 0 ? std::string(text, static_cast<std::size_t>(n)) : "another process";
    while (!other.empty() && (other.back() == '\n' || other.back() == ' ')) other.pop_back();
    AXT_FAIL("run folder '{}' is in use by {}; wait for it to finish, or choose another --out", dir,
             printable(other, 120));
  }
  const std::string text = fmt::format("process {} ({})\n", ::getpid(), holder);
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, text.data(), text.size(), 0) < 0) {
    // The lock holds without the note; only the other process's message loses the process id.
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace axtrain
