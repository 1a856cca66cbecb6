// zip_archive_fault (util/zip_archive.h) on archives laid out as libtorch writes them: stored entries, each local
// header followed by its contents, then the central directory, the zip64 end record, its locator and the end
// record. Every corruption of contents, headers or directory is named; a whole archive has no fault.
#include "axtrain/util/zip_archive.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace axtrain {
namespace {

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

struct ZipOptions {
  bool zip64 = true;             // write the zip64 end record and locator, as libtorch does
  bool wide_sizes = false;       // all-ones sizes in the directory, the real ones in a zip64 extra field
  std::uint16_t method = 0;      // 8: contents deflated (raw deflate, as zip stores it); others stored as given
  std::uint64_t size_delta = 0;  // added to the uncompressed size the directory records
};

std::string raw_deflate(const std::string& data) {
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

std::string zip(const std::vector<std::pair<std::string, std::string>>& entries, ZipOptions o = {}) {
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

const std::vector<std::pair<std::string, std::string>> kEntries = {
    {"archive/data.pkl", "pickled"}, {"archive/data/0", std::string(300, '\7')}, {"archive/version", "3\n"}};

std::string fault(const std::string& bytes) {
  return zip_archive_fault(bytes).value_or("");
}

TEST(ZipArchive, WholeArchivesHaveNoFault) {
  EXPECT_EQ(fault(zip(kEntries)), "");
  EXPECT_EQ(fault(zip(kEntries, {.zip64 = false})), "");
  EXPECT_EQ(fault(zip(kEntries, {.wide_sizes = true})), "");
  EXPECT_EQ(fault(zip({{"archive/empty", ""}})), "");
  EXPECT_EQ(fault(zip(kEntries, {.method = 8})), "") << "libtorch deflates its TorchScript sources";
  EXPECT_EQ(fault(zip(kEntries, {.wide_sizes = true, .method = 8})), "");
}

TEST(ZipArchive, EveryChangedContentByteFailsItsCrc) {
  const std::string whole = zip(kEntries);
  const std::size_t start = whole.find(std::string(300, '\7'));
  for (std::size_t at = start; at < start + 300; at += 37) {
    std::string bad = whole;
    bad[at] = '\6';
    EXPECT_EQ(fault(bad), "entry 'archive/data/0' fails its CRC-32 check");
  }
}

TEST(ZipArchive, TruncatedShortAndForeignFilesAreNamed) {
  const std::string whole = zip(kEntries);
  EXPECT_EQ(fault(""), "too short for a zip archive");
  EXPECT_EQ(fault(whole.substr(0, whole.size() - 1)), "no end-of-archive record");
  EXPECT_EQ(fault(std::string(100, 'x')), "no end-of-archive record");
  EXPECT_EQ(fault(whole.substr(0, 40) + whole.substr(whole.size() - 22)), "no zip64 locator")
      << "the middle cut out: the end record survives, its zip64 records do not";
  EXPECT_EQ(fault(zip({})), "no entries");
}

TEST(ZipArchive, InsertedBytesMoveEntriesAwayFromTheirHeaders) {
  std::string shifted = zip(kEntries);
  shifted.insert(10, "junk");
  EXPECT_NE(fault(shifted), "");
  std::string renamed = zip(kEntries);
  renamed[renamed.find("archive/version")] = 'A';  // the local header's name, not the directory's
  EXPECT_EQ(fault(renamed), "entry 'archive/version' is named otherwise in its local header");
}

TEST(ZipArchive, DeflatedEntriesMustInflateToTheirSizeAndCrc) {
  const std::vector<std::pair<std::string, std::string>> one = {{"archive/code/x.py", std::string(5000, 'a') + "b"}};
  EXPECT_EQ(fault(zip(one, {.method = 8, .size_delta = 1})),
            "entry 'archive/code/x.py' does not inflate to the size its directory records");
  EXPECT_EQ(fault(zip(one, {.method = 8, .size_delta = ~std::uint64_t{0}})),
            "entry 'archive/code/x.py' does not inflate to the size its directory records")
      << "one byte fewer than recorded";
  EXPECT_EQ(fault(zip(one, {.wide_sizes = true, .method = 8, .size_delta = std::uint64_t{1} << 40})),
            "entry 'archive/code/x.py' does not inflate to the size its directory records")
      << "a declared terabyte is refused without inflating it";
  const std::string whole = zip(one, {.method = 8});
  const std::string stream = raw_deflate(one[0].second);
  const std::size_t start = whole.find(stream);
  ASSERT_NE(start, std::string::npos);
  for (std::size_t at = start; at < start + stream.size(); ++at) {
    std::string bad = whole;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    EXPECT_NE(fault(bad), "") << "a changed deflate byte at " << at - start;
  }
  std::string cut = whole;
  cut.erase(start + stream.size() - 1, 1);  // the stream loses its last byte; offsets after it move
  EXPECT_NE(fault(cut), "");
}

TEST(ZipArchive, OtherCompressionMethodsAreRefusedByName) {
  EXPECT_EQ(fault(zip({{"archive/x", "abc"}}, {.method = 12})),
            "entry 'archive/x' uses compression method 12; libtorch archives store or deflate their entries");
}

TEST(ZipArchive, OverlappingEntriesAreRefused) {
  // Two directory entries for one local entry: the check would read the same bytes twice.
  std::string twice = zip({{"a", "xyz"}, {"a", "xyz"}}, {.zip64 = false});
  const std::size_t second_offset = twice.rfind(std::string("\x50\x4b\x01\x02", 4)) + 42;
  for (int i = 0; i < 4; ++i) twice[second_offset + i] = 0;
  EXPECT_EQ(fault(twice), "entry 'a' overlaps the entry before it");
}

}  // namespace
}  // namespace axtrain
