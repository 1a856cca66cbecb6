// IDX files: raw and gzip round trips, every validation error, and the classification dataset built from them.
#include "../support/expect_error.h"
#include "axtrain/data/idx.h"

#include "../support/run_cli.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <functional>

namespace axtrain {
namespace {

using test::expect_error;

using test::TempDir;

IdxArray images(std::int64_t n, std::int64_t h, std::int64_t w) {
  IdxArray a{{n, h, w}, {}};
  for (std::int64_t i = 0; i < n * h * w; ++i) a.data.push_back(static_cast<std::uint8_t>((i * 37 + 11) % 256));
  return a;
}

TEST(Idx, EncodesTheDocumentedHeader) {
  const std::string bytes = encode_idx(IdxArray{{2, 258}, std::vector<std::uint8_t>(516, 7)});
  ASSERT_EQ(bytes.size(), 4u + 8u + 516u);
  const std::string header("\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x01\x02", 12);
  EXPECT_EQ(bytes.substr(0, 12), header);
  EXPECT_EQ(bytes[12], 7);
  EXPECT_THROW(encode_idx(IdxArray{{2, 3}, std::vector<std::uint8_t>(5)}), Error);
  EXPECT_THROW(encode_idx(IdxArray{{}, {}}), Error);
}

TEST(Idx, RoundTripsRawAndGzip) {
  TempDir dir;
  const IdxArray a = images(5, 3, 4);
  for (const std::string name : {"a-idx3-ubyte", "a-idx3-ubyte.gz"}) {
    const bool gz = name.ends_with(".gz");
    write_idx(dir.file(name), a, gz);
    const std::string stored = read_file(dir.file(name));
    EXPECT_EQ(gz, stored.size() >= 2 && static_cast<unsigned char>(stored[0]) == 0x1f &&
                      static_cast<unsigned char>(stored[1]) == 0x8b)
        << name;
    const IdxArray back = read_idx(dir.file(name));
    EXPECT_EQ(back.dims, a.dims) << name;
    EXPECT_EQ(back.data, a.data) << name;
  }
  const IdxArray empty{{0, 28, 28}, {}};
  write_idx(dir.file("empty.gz"), empty, true);
  EXPECT_EQ(read_idx(dir.file("empty.gz")).dims, empty.dims);
}

TEST(Idx, RejectsMalformedRawFiles) {
  TempDir dir;
  const std::string good = encode_idx(images(4, 2, 2));
  auto with = [&](const std::string& bytes) {
    write_file_atomic(dir.file("x.idx"), bytes);
    return [&dir] { read_idx(dir.file("x.idx")); };
  };
  expect_error([&] { read_idx(dir.file("missing.idx")); }, "missing.idx");
  expect_error(with(good.substr(0, 3)), "fewer than the 4-byte header");
  expect_error(with("\x01" + good.substr(1)), "starts with bytes 0x01 0x00");
  std::string other_type = good;
  other_type[2] = 0x0D;  // float
  expect_error(with(other_type), "data type 0x0d; only 0x08");
  std::string no_dims = good.substr(0, 4);
  no_dims[3] = 0;
  expect_error(with(no_dims), "0 dimensions");
  expect_error(with(good.substr(0, 10)), "inside the header");
  expect_error(with(good.substr(0, good.size() - 1)), "declares 16 items (4x2x2) but holds 15 bytes");
  expect_error(with(good + "zz"), "2 trailing bytes");
  write_idx(dir.file("y.gz"), images(1, 1, 1), true);
  expect_error(with(read_file(dir.file("y.gz"))), "looks gzip-compressed");
}

TEST(Idx, RejectsCorruptOrTruncatedGzip) {
  TempDir dir;
  write_idx(dir.file("ok.gz"), images(50, 8, 8), true);
  const std::string gz = read_file(dir.file("ok.gz"));
  write_file_atomic(dir.file("cut.gz"), gz.substr(0, gz.size() / 2));
  expect_error([&] { read_idx(dir.file("cut.gz")); }, "not a valid gzip stream");
  std::string flipped = gz;
  for (std::size_t i = 20; i < 40; ++i) flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
  write_file_atomic(dir.file("flip.gz"), flipped);
  expect_error([&] { read_idx(dir.file("flip.gz")); }, "flip.gz");
  write_file_atomic(dir.file("raw.gz"), encode_idx(images(1, 2, 2)));  // not compressed at all
  expect_error([&] { read_idx(dir.file("raw.gz")); }, "not a valid gzip stream");
  write_file_atomic(dir.file("tail.gz"), gz + "junk");
  expect_error([&] { read_idx(dir.file("tail.gz")); }, "4 bytes after the end");
}

TEST(IdxDataset, BuildsScaledImagesAndLabels) {
  TempDir dir;
  const IdxArray img = images(6, 3, 2);
  write_idx(dir.file("img.gz"), img, true);
  write_idx(dir.file("lab"), IdxArray{{6}, {0, 4, 2, 4, 1, 0}}, false);
  const Dataset d = idx_dataset(dir.file("img.gz"), dir.file("lab"), "tiny");
  EXPECT_EQ(d.name, "tiny");
  EXPECT_EQ(d.task, Task::kClassification);
  EXPECT_EQ(d.size(), 6u);
  EXPECT_EQ(d.sample_shape, (std::vector<std::int64_t>{1, 3, 2}));
  EXPECT_EQ(d.feature_dim(), 6);
  EXPECT_EQ(d.num_classes, 5);
  EXPECT_EQ(d.labels, (std::vector<std::int64_t>{0, 4, 2, 4, 1, 0}));
  ASSERT_EQ(d.features.size(), img.data.size());
  for (std::size_t i = 0; i < img.data.size(); ++i) EXPECT_FLOAT_EQ(d.features[i], img.data[i] / 255.0f) << i;

  write_idx(dir.file("flat"), IdxArray{{2, 3}, {0, 255, 51, 1, 2, 3}}, false);
  write_idx(dir.file("lab2"), IdxArray{{2}, {1, 1}}, false);
  const Dataset flat = idx_dataset(dir.file("flat"), dir.file("lab2"), "flat");
  EXPECT_EQ(flat.sample_shape, (std::vector<std::int64_t>{3}));
  EXPECT_FLOAT_EQ(flat.features[1], 1.0f);
  EXPECT_FLOAT_EQ(flat.features[2], 0.2f);
  EXPECT_EQ(flat.num_classes, 2);
}

TEST(IdxDataset, RejectsMismatchedFiles) {
  TempDir dir;
  write_idx(dir.file("img"), images(6, 3, 2), false);
  write_idx(dir.file("lab5"), IdxArray{{5}, {0, 1, 2, 3, 4}}, false);
  expect_error([&] { idx_dataset(dir.file("img"), dir.file("lab5"), "x"); }, "holds 6 images but label file");
  expect_error([&] { idx_dataset(dir.file("lab5"), dir.file("lab5"), "x"); }, "images are n x H x W");
  expect_error([&] { idx_dataset(dir.file("img"), dir.file("img"), "x"); }, "labels are one dimension");
}

}  // namespace
}  // namespace axtrain
