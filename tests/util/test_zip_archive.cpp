// zip_archive_fault (util/zip_archive.h) on archives laid out as libtorch writes them: stored entries, each local
// header followed by its contents, then the central directory, the zip64 end record, its locator and the end
// record. Every corruption of contents, headers or directory is named; a whole archive has no fault.
#include "axtrain/util/zip_archive.h"

#include "../support/zip_writer.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace axtrain {
namespace {

using test::raw_deflate;
using test::zip;
using test::ZipOptions;

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

TEST(ZipArchive, EntriesComeBackStoredOrInflatedInDirectoryOrder) {
  for (const std::uint16_t method : {std::uint16_t{0}, std::uint16_t{8}}) {
    const std::vector<ZipEntry> entries = zip_archive_entries(zip(kEntries, {.method = method}), "'test.npz'");
    ASSERT_EQ(entries.size(), kEntries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      EXPECT_EQ(entries[i].name, kEntries[i].first);
      EXPECT_EQ(entries[i].contents, kEntries[i].second);
    }
  }
  std::string bad = zip(kEntries);
  bad[bad.find(std::string(300, '\7'))] = '\6';
  try {
    zip_archive_entries(bad, "'test.npz'");
    ADD_FAILURE() << "a corrupt archive was read";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "'test.npz' is not a readable zip archive (entry 'archive/data/0' fails its CRC-32 check); write it "
              "again (numpy.savez or numpy.savez_compressed)");
  }
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
            "entry 'archive/x' uses compression method 12; only stored and deflated entries are read");
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
