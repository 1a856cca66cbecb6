// A zip writer for tests: archives laid out as libtorch and numpy.savez write them (stored or deflated entries,
// each local header followed by its contents, the central directory, optionally the zip64 end records).
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace axtrain::test {

inline void put(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

struct ZipOptions {
  bool zip64 = true;             // write the zip64 end record and locator, as libtorch does
  bool wide_sizes = false;       // all-ones sizes in the directory, the real ones in a zip64 extra field
  std::uint16_t method = 0;      // 8: contents deflated (raw deflate, as zip stores it); others stored as given
  std::uint64_t size_delta = 0;  // added to the uncompressed size the directory records
};

inline std::string raw_deflate(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::string zip(const std::vector<std::pair<std::string, std::string>>& entries, ZipOptions o = {}) {
  std::string out, directory;
  for (const auto& [name, data] : entries) {
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const std::string stored = o.method == 8 ? raw_deflate(data) : data;
    const std::uint64_t offset = out.size(), size = data.size() + o.size_delta;
    put(out, 0x04034b50, 4), put(out, 20, 2), put(out, 0, 2), put(out, o.method, 2), put(out, 0, 4);
    put(out, crc, 4), put(out, stored.size(), 4), put(out, size, 4), put(out, name.size(), 2), put(out, 0, 2);
    out += name + stored;
    put(directory, 0x02014b50, 4), put(directory, 20, 2), put(directory, 20, 2), put(directory, 0, 2);
    put(directory, o.method, 2), put(directory, 0, 4), put(directory, crc, 4);
    put(directory, o.wide_sizes ? 0xffffffff : stored.size(), 4), put(directory, o.wide_sizes ? 0xffffffff : size, 4);
    put(directory, name.size(), 2);
    put(directory, o.wide_sizes ? 20 : 0, 2), put(directory, 0, 2), put(directory, 0, 2), put(directory, 0, 2);
    put(directory, 0, 4), put(directory, offset, 4);
    directory += name;
    if (o.wide_sizes)
      put(directory, 0x0001, 2), put(directory, 16, 2), put(directory, size, 8), put(directory, stored.size(), 8);
  }
  const std::uint64_t directory_offset = out.size();
  out += directory;
  if (o.zip64) {
    const std::uint64_t end64 = out.size();
    put(out, 0x06064b50, 4), put(out, 44, 8), put(out, 0x2d, 2), put(out, 0x2d, 2), put(out, 0, 4), put(out, 0, 4);
    put(out, entries.size(), 8), put(out, entries.size(), 8), put(out, directory.size(), 8);
    put(out, directory_offset, 8);
    put(out, 0x07064b50, 4), put(out, 0, 4), put(out, end64, 8), put(out, 1, 4);
  }
  put(out, 0x06054b50, 4), put(out, 0, 2), put(out, 0, 2), put(out, entries.size(), 2), put(out, entries.size(), 2);
  put(out, directory.size(), 4), put(out, o.zip64 ? 0xffffffff : directory_offset, 4), put(out, 0, 2);
  return out;
}

}  // namespace axtrain::test
