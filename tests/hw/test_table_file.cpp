// Table files: round trips, signed layouts, validation and declared metrics.
#include "../support/expect_error.h"
#include "axtrain/hw/table_file.h"

#include "../support/run_cli.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

namespace axtrain {
namespace {

using test::expect_error;

using test::TempDir;

// A signed design for tests: exact except that negative x negative products lose 1 (rank 1 error).
ProductTable signed_table() {
  std::vector<std::int32_t> products(65536);
  for (int ia = 0; ia < 256; ++ia)
    for (int ib = 0; ib < 256; ++ib) products[ia * 256 + ib] = (ia - 128) * (ib - 128) - (ia < 128 && ib < 128);
  return ProductTable(true, products);
}

TEST(TableFile, EveryBuiltinRoundTripsInBothFormats) {
  TempDir dir;
  for (const std::string& spec : builtin_multiplier_specs()) {
    const Multiplier m = Multiplier::parse(spec);
    for (TableFormat format : {TableFormat::kBin, TableFormat::kText}) {
      const std::string path = dir.file(format == TableFormat::kBin ? "t.bin" : "t.txt");
      save_table(m.table(), path, format, std::nullopt);
      const ProductTable back = load_table(path, {});
      EXPECT_FALSE(back.is_signed());
      EXPECT_EQ(back.products(), m.table().products()) << spec;
    }
  }
}

TEST(TableFile, BinIsLittleEndianTfApproxLayout) {
  const std::string bytes = encode_table(Multiplier::parse("exact").table(), TableFormat::kBin, std::nullopt);
  ASSERT_EQ(bytes.size(), 131072u);
  const int index = 200 * 256 + 100;  // 20000 = 0x4E20
  EXPECT_EQ(static_cast<unsigned char>(bytes[2 * index]), 0x20);
  EXPECT_EQ(static_cast<unsigned char>(bytes[2 * index + 1]), 0x4E);
}

TEST(TableFile, SignedLayoutsPlaceCodesAsDocumented) {
  const ProductTable table = signed_table();
  const std::string twos = encode_table(table, TableFormat::kBin, SignedLayout::kTwos);
  const std::string offset = encode_table(table, TableFormat::kBin, SignedLayout::kOffset);
  auto entry = [](const std::string& bytes, int index) {
    return static_cast<std::int16_t>(static_cast<unsigned char>(bytes[2 * index]) |
                                     (static_cast<unsigned char>(bytes[2 * index + 1]) << 8));
  };
  // a = -3, b = -5: product 15, minus 1 = 14. twos index uint8(-3)*256 + uint8(-5); offset (125)*256 + 123.
  EXPECT_EQ(entry(twos, 253 * 256 + 251), 14);
  EXPECT_EQ(entry(offset, 125 * 256 + 123), 14);
  // a = -128, b = 127: -16256.
  EXPECT_EQ(entry(twos, 128 * 256 + 127), -16256);
  EXPECT_EQ(entry(offset, 0 * 256 + 255), -16256);
}

TEST(TableFile, SignedRoundTripInEveryLayoutAndFormat) {
  TempDir dir;
  const ProductTable table = signed_table();
  for (SignedLayout layout : {SignedLayout::kTwos, SignedLayout::kOffset}) {
    for (TableFormat format : {TableFormat::kBin, TableFormat::kText}) {
      const std::string path = dir.file(format == TableFormat::kBin ? "s.bin" : "s.txt");
      save_table(table, path, format, layout);
      TableOptions options;
      options.layout = layout;
      const ProductTable back = load_table(path, options);
      EXPECT_TRUE(back.is_signed());
      EXPECT_EQ(back.products(), table.products());
    }
  }
}

TEST(TableFile, SignedTableNeedsALayoutToBeWritten) {
  expect_error([] { encode_table(signed_table(), TableFormat::kBin, std::nullopt); }, "signed=twos or signed=offset");
  expect_error([] { encode_table(Multiplier::parse("K1").table(), TableFormat::kBin, SignedLayout::kTwos); },
               "takes no signed= layout");
}

TEST(TableFile, MalformedBinFilesAreRejected) {
  TempDir dir;
  const std::string good = encode_table(Multiplier::parse("K3").table(), TableFormat::kBin, std::nullopt);
  write_file_atomic(dir.file("short.bin"), good.substr(0, good.size() - 2));
  write_file_atomic(dir.file("long.bin"), good + std::string(2, '\0'));
  write_file_atomic(dir.file("odd.bin"), good.substr(0, good.size() - 1));
  write_file_atomic(dir.file("empty.bin"), "");
  expect_error([&] { load_table(dir.file("short.bin"), {}); }, "has 65535 entries");
  expect_error([&] { load_table(dir.file("long.bin"), {}); }, "has 65537 entries");
  expect_error([&] { load_table(dir.file("odd.bin"), {}); }, "not a whole number of 16-bit entries");
  expect_error([&] { load_table(dir.file("empty.bin"), {}); }, "has 0 entries");
  expect_error([&] { load_table(dir.file("missing.bin"), {}); }, "missing.bin");
}

TEST(TableFile, MalformedTextFilesAreRejected) {
  TempDir dir;
  std::string good = encode_table(Multiplier::parse("K3").table(), TableFormat::kText, std::nullopt);
  write_file_atomic(dir.file("good.txt"), "# a comment line\n" + good);
  EXPECT_EQ(load_table(dir.file("good.txt"), {}).products(), Multiplier::parse("K3").table().products());

  const std::string row0 = good.substr(0, good.find('\n') + 1);
  write_file_atomic(dir.file("rows.txt"), good.substr(good.find('\n') + 1));
  write_file_atomic(dir.file("extra_row.txt"), good + row0);
  std::string range = good;
  range.replace(0, 1, "70000");
  write_file_atomic(dir.file("range.txt"), range);
  std::string negative = good;
  negative.replace(0, 1, "-1");
  write_file_atomic(dir.file("negative.txt"), negative);
  std::string word = good;
  word.replace(0, 1, "zero");
  write_file_atomic(dir.file("word.txt"), word);
  std::string short_row = good;
  short_row.erase(0, 2);  // first row loses its first entry
  write_file_atomic(dir.file("short_row.txt"), short_row);
  std::string commas = good;
  std::replace(commas.begin(), commas.end(), ' ', ',');
  write_file_atomic(dir.file("commas.txt"), commas);

  expect_error([&] { load_table(dir.file("rows.txt"), {}); }, "has 255 rows");
  expect_error([&] { load_table(dir.file("extra_row.txt"), {}); }, "more than 256 rows");
  expect_error([&] { load_table(dir.file("range.txt"), {}); }, "entry 70000 is outside 0..65535");
  expect_error([&] { load_table(dir.file("negative.txt"), {}); }, "signed=twos|offset");
  expect_error([&] { load_table(dir.file("word.txt"), {}); }, "'zero' is not an integer");
  expect_error([&] { load_table(dir.file("short_row.txt"), {}); }, "line 1: 255 entries");
  EXPECT_EQ(load_table(dir.file("commas.txt"), {}).products(), Multiplier::parse("K3").table().products());
}

TEST(TableFile, OptionsParseAndPrintBack) {
  const TableOptions o = parse_table_options("signed=offset,format=text,wce=14450,mred=0.0328");
  EXPECT_EQ(o.layout, SignedLayout::kOffset);
  EXPECT_EQ(o.format, TableFormat::kText);
  ASSERT_EQ(o.declared.size(), 2u);
  EXPECT_EQ(format_table_options(o), "signed=offset,format=text,wce=14450,mred=0.0328");
  expect_error([] { parse_table_options("signed=ones"); }, "signed layout 'ones' is unknown");
  expect_error([] { parse_table_options("format=csv"); }, "table format 'csv' is unknown");
  expect_error([] { parse_table_options("colour=red"); }, "table option 'colour' is unknown");
  expect_error([] { parse_table_options("signed"); }, "is not key=value");
  expect_error([] { parse_table_options("wce=lots"); }, "is not a number");
}

TEST(TableFile, DeclaredMetricsMustMatchAtTheirPrecision) {
  TempDir dir;
  const std::string path = dir.file("k3.bin");
  save_table(Multiplier::parse("K3").table(), path, TableFormat::kBin, std::nullopt);
  // K3: er 0.4673004..., mred 0.0328049..., wce 14450.
  EXPECT_NO_THROW(load_table(path, parse_table_options("wce=14450,er=0.4673,mred=0.0328,med=903.125")));
  EXPECT_NO_THROW(load_table(path, parse_table_options("mred=3.28e-2")));
  expect_error([&] { load_table(path, parse_table_options("wce=14451")); }, "declares wce=14451");
  expect_error([&] { load_table(path, parse_table_options("mred=0.0329")); }, "declares mred=0.0329");
  expect_error([&] { load_table(path, parse_table_options("error_rank=2")); }, "its entries give 1");
}

}  // namespace
}  // namespace axtrain
