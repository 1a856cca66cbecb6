#include "axtrain/util/atomic_file.h"

#include "axtrain/util/check.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace axtrain {

void write_file_atomic(const std::string& path, std::string_view content) {
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  AXT_CHECK(fd >= 0, "cannot write '{}': {}; check that its folder exists and is writable", path, std::strerror(errno));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      AXT_FAIL("cannot write '{}': {}", path, std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::fchmod(fd, 0644);
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    AXT_FAIL("cannot write '{}': {}", path, std::strerror(err));
  }
  const std::string parent = std::filesystem::path(path).parent_path().string();
  sync_directory(parent.empty() ? "." : parent);  // the rename itself survives a power cut
}

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the data are already synced
  ::fsync(fd);
  ::close(fd);
}

int remove_stale_temporaries(const std::string& dir) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const std::size_t at = name.rfind(".tmp.");
    if (at == std::string::npos || name.size() != at + 11 || !entry.is_regular_file(ec)) continue;  // NAME.tmp.XXXXXX
    if (std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  AXT_CHECK(std::filesystem::exists(status), "cannot read '{}': no such file; check the path", path);
  AXT_CHECK(!std::filesystem::is_directory(status), "cannot read '{}': it is a folder, not a file; give a file", path);
  AXT_CHECK(std::filesystem::is_regular_file(status),
            "cannot read '{}': it is not a regular file (a device, pipe or socket); give a file", path);
  std::ifstream in(path, std::ios::binary);
  AXT_CHECK(in.good(), "cannot open '{}': {}; check the path", path, std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  AXT_CHECK(!in.bad(), "cannot read '{}'", path);
  return buffer.str();
}

}  // namespace axtrain
