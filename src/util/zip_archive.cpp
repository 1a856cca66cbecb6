#include "axtrain/util/zip_archive.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace axtrain {
namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEnd = 0x06054b50;
constexpr std::uint32_t kEnd64 = 0x06064b50, kEnd64Locator = 0x07064b50;
constexpr std::size_t kEndSize = 22, kLocatorSize = 20, kEnd64Size = 56, kCentralSize = 46, kLocalSize = 30;
constexpr std::uint16_t kStored = 0, kDeflated = 8, kZip64Extra = 0x0001;
// Deflate expands at most 1032:1 (RFC 1951 end of stream aside): a larger declared size is a lie that would
// only make the check inflate for long.
constexpr std::uint64_t kMaxDeflateRatio = 1032, kDeflateSlack = 64;

// Little-endian fields of `bytes`; reads past the end give nothing.
struct Reader {
  std::string_view bytes;
  bool has(std::uint64_t at, std::uint64_t n) const { return at <= bytes.size() && n <= bytes.size() - at; }
  std::uint64_t le(std::uint64_t at, int n) const {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  }
};

struct Entry {
  std::string name;
  std::uint16_t method = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed = 0, size = 0, offset = 0;
};

std::uint32_t crc_of(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (std::size_t done = 0; done < data.size();) {  // crc32 takes a uInt length
    const auto n = static_cast<uInt>(std::min<std::size_t>(data.size() - done, 1U << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data() + done), n);
    done += n;
  }
  return static_cast<std::uint32_t>(crc);
}

// CRC-32 of the raw deflate stream `data` inflated, which must end exactly at the end of `data` and give exactly
// `size` bytes; nothing when it does not. Inflates through a fixed buffer: memory does not grow with `size`, unless
// the bytes are kept in `out` (appended).
std::optional<std::uint32_t> inflated_crc(std::string_view data, std::uint64_t size, std::string* out) {
  if (size > kMaxDeflateRatio * data.size() + kDeflateSlack) return std::nullopt;
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return std::nullopt;
  std::vector<Bytef> buffer(1 << 16);
  uLong crc = crc32(0L, Z_NULL, 0);
  std::uint64_t produced = 0, fed = 0;
  int status = Z_OK;
  while (status == Z_OK) {
    if (z.avail_in == 0 && fed < data.size()) {
      const auto n = static_cast<uInt>(std::min<std::uint64_t>(data.size() - fed, 1U << 30));
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + fed));  // zlib does not write it
      z.avail_in = n;
      fed += n;
    }
    z.next_out = buffer.data();
    z.avail_out = static_cast<uInt>(buffer.size());
    status = inflate(&z, Z_NO_FLUSH);
    const auto got = static_cast<uInt>(buffer.size() - z.avail_out);
    produced += got;
    if (produced > size) break;
    crc = crc32(crc, buffer.data(), got);
    if (out) out->append(reinterpret_cast<const char*>(buffer.data()), got);
    if (status == Z_BUF_ERROR && got == 0) break;  // input ran out before the stream's end
    if (status == Z_BUF_ERROR) status = Z_OK;
  }
  const bool whole = status == Z_STREAM_END && produced == size && z.avail_in == 0 && fed == data.size();
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return static_cast<std::uint32_t>(crc);
}

struct Directory {
  std::uint64_t entries = 0, size = 0, offset = 0, end = 0;  // end: where the end records start
};

std::optional<std::string> find_directory(const Reader& r, Directory& d) {
  if (r.bytes.size() < kEndSize) return "too short for a zip archive";
  std::uint64_t at = r.bytes.size() - kEndSize;
  const std::uint64_t lowest = at > 0xffff ? at - 0xffff : 0;  // the end record is followed by its comment
  while (r.le(at, 4) != kEnd || at + kEndSize + r.le(at + 20, 2) != r.bytes.size()) {
    if (at == lowest) return "no end-of-archive record";
    --at;
  }
  d = {.entries = r.le(at + 10, 2), .size = r.le(at + 12, 4), .offset = r.le(at + 16, 4), .end = at};
  if (d.entries != 0xffff && d.size != 0xffffffff && d.offset != 0xffffffff) return std::nullopt;
  if (at < kLocatorSize || r.le(at - kLocatorSize, 4) != kEnd64Locator) return "no zip64 locator";
  const std::uint64_t end64 = r.le(at - kLocatorSize + 8, 8);
  if (!r.has(end64, kEnd64Size) || r.le(end64, 4) != kEnd64 || end64 + kEnd64Size > at - kLocatorSize)
    return "no zip64 end record where its locator points";
  d = {.entries = r.le(end64 + 32, 8), .size = r.le(end64 + 40, 8), .offset = r.le(end64 + 48, 8), .end = end64};
  return std::nullopt;
}

// Reads the central directory entry at `at` into `e`; `at` moves to the next one.
std::optional<std::string> read_entry(const Reader& r, std::uint64_t& at, std::uint64_t directory_end, Entry& e) {
  if (!r.has(at, kCentralSize) || r.le(at, 4) != kCentralHeader || at + kCentralSize > directory_end)
    return "a central directory entry is missing";
  const std::uint64_t name_length = r.le(at + 28, 2), extra_length = r.le(at + 30, 2);
  const std::uint64_t next = at + kCentralSize + name_length + extra_length + r.le(at + 32, 2);
  if (next > directory_end) return "a central directory entry runs past the directory";
  e = {.name = std::string(r.bytes.substr(at + kCentralSize, name_length)),
       .method = static_cast<std::uint16_t>(r.le(at + 10, 2)),
       .crc = static_cast<std::uint32_t>(r.le(at + 16, 4)),
       .compressed = r.le(at + 20, 4),
       .size = r.le(at + 24, 4),
       .offset = r.le(at + 42, 4)};
  // zip64: each field that reads all ones is in the extra field 0x0001, in the order size, compressed, offset.
  std::vector<std::uint64_t*> wide;
  for (std::uint64_t* field : {&e.size, &e.compressed, &e.offset})
    if (*field == 0xffffffff) wide.push_back(field);
  for (std::uint64_t x = at + kCentralSize + name_length, end = x + extra_length; !wide.empty() && x + 4 <= end;) {
    const std::uint64_t id = r.le(x, 2), length = r.le(x + 2, 2);
    if (x + 4 + length > end) break;
    if (id == kZip64Extra && length >= 8 * wide.size()) {
      for (std::size_t i = 0; i < wide.size(); ++i) *wide[i] = r.le(x + 4 + 8 * i, 8);
      wide.clear();
    }
    x += 4 + length;
  }
  if (!wide.empty()) return fmt::format("entry '{}' lacks its zip64 sizes", printable(e.name));
  at = next;
  return std::nullopt;
}

// Checks the entry's local header and contents, which must start at or after `first` (entries do not overlap,
// so the whole check reads each byte once) and end before `data_limit`; `first` moves past its contents. The
// contents, stored or inflated, go to `out` when it is given.
std::optional<std::string> check_entry(const Reader& r, const Entry& e, std::uint64_t& first, std::uint64_t data_limit,
                                       std::string* out) {
  const std::string name = printable(e.name);
  if (e.offset < first) return fmt::format("entry '{}' overlaps the entry before it", name);
  if (!r.has(e.offset, kLocalSize) || r.le(e.offset, 4) != kLocalHeader)
    return fmt::format("entry '{}' has no local header where the directory points", name);
  const std::uint64_t name_length = r.le(e.offset + 26, 2), extra_length = r.le(e.offset + 28, 2);
  const std::uint64_t data = e.offset + kLocalSize + name_length + extra_length;
  if (r.bytes.substr(e.offset + kLocalSize, name_length) != e.name)
    return fmt::format("entry '{}' is named otherwise in its local header", name);
  if (data > data_limit || e.compressed > data_limit - data)
    return fmt::format("entry '{}' runs past the end of the entries", name);
  const std::string_view contents = r.bytes.substr(data, e.compressed);
  first = data + e.compressed;
  std::uint32_t crc = 0;
  if (e.method == kStored) {
    if (e.compressed != e.size) return fmt::format("stored entry '{}' records two sizes", name);
    crc = crc_of(contents);
    if (out) out->assign(contents);
  } else if (e.method == kDeflated) {
    const auto inflated = inflated_crc(contents, e.size, out);
    if (!inflated) return fmt::format("entry '{}' does not inflate to the size its directory records", name);
    crc = *inflated;
  } else {
    return fmt::format("entry '{}' uses compression method {}; only stored and deflated entries are read", name,
                       e.method);
  }
  if (crc != e.crc) return fmt::format("entry '{}' fails its CRC-32 check", name);
  return std::nullopt;
}

std::optional<std::string> read_zip_entries(std::string_view bytes, std::vector<ZipEntry>* entries) {
  const Reader r{bytes};
  Directory d;
  if (auto fault = find_directory(r, d)) return fault;
  if (d.offset > d.end || d.size > d.end - d.offset) return "the central directory lies outside the file";
  std::uint64_t at = d.offset, first = 0;
  for (std::uint64_t i = 0; i < d.entries; ++i) {
    Entry e;
    if (auto fault = read_entry(r, at, d.offset + d.size, e)) return fault;
    std::string contents;
    if (auto fault = check_entry(r, e, first, d.offset, entries ? &contents : nullptr)) return fault;
    if (entries) entries->push_back({e.name, std::move(contents)});
  }
  if (d.entries == 0) return "no entries";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> zip_archive_fault(std::string_view bytes) {
  return read_zip_entries(bytes, nullptr);
}

std::vector<ZipEntry> zip_archive_entries(std::string_view bytes, std::string_view what) {
  std::vector<ZipEntry> entries;
  if (auto fault = read_zip_entries(bytes, &entries))
    AXT_FAIL("{} is not a readable zip archive ({}); write it again (numpy.savez or numpy.savez_compressed)", what,
             *fault);
  return entries;
}

}  // namespace axtrain
