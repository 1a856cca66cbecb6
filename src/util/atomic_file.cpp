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
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  AXT_CHECK(std::filesystem::is_regular_file(path, ec), "cannot read '{}': no such file; check the path", path);
  std::ifstream in(path, std::ios::binary);
  AXT_CHECK(in.good(), "cannot open '{}': {}; check the path", path, std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  AXT_CHECK(!in.bad(), "cannot read '{}'", path);
  return buffer.str();
}

}  // namespace axtrain
