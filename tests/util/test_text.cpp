#include "axtrain/util/text.h"

#include <gtest/gtest.h>

namespace axtrain {
namespace {

TEST(Text, TrimDropsSpacesTabsAndCarriageReturns) {
  EXPECT_EQ(trim("  a b\t\r"), "a b");
  EXPECT_EQ(trim("\t \r"), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(Text, SplitLinesNumbersEveryLineAndMarksAnUnterminatedLast) {
  const auto lines = split_lines("a\n\nb\r\nc");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].text, "a");
  EXPECT_EQ(lines[1].text, "");
  EXPECT_EQ(lines[2].text, "b\r");  // the '\r' is kept; trim drops it
  EXPECT_EQ(lines[3].text, "c");
  EXPECT_EQ(lines[3].number, 4);
  EXPECT_TRUE(lines[2].terminated);
  EXPECT_FALSE(lines[3].terminated);
  EXPECT_TRUE(split_lines("").empty());
  const auto ended = split_lines("x\n");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_TRUE(ended[0].terminated);
}

TEST(Text, Join) {
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({"a"}, ", "), "a");
  EXPECT_EQ(join({}, ", "), "");
}

TEST(Text, PrintableEscapesControlBytesAndShortens) {
  EXPECT_EQ(printable("plain"), "plain");
  EXPECT_EQ(printable(std::string("a\0b\x1b[31m\n", 9)), "a\\x00b\\x1b[31m\\x0a");
  EXPECT_EQ(printable("\xc3\xa9"), "\\xc3\\xa9");
  EXPECT_EQ(printable(std::string(500, '9'), 10), "9999999999...");
}

TEST(Text, FingerprintIsStableAndTellsTextsApart) {
  EXPECT_EQ(fingerprint(""), "cbf29ce484222325");   // FNV-1a 64 of nothing: its offset basis
  EXPECT_EQ(fingerprint("a"), "af63dc4c8601ec8c");  // the published FNV-1a 64 test vector
  EXPECT_NE(fingerprint("epochs = 3\n"), fingerprint("epochs = 4\n"));
  EXPECT_EQ(fingerprint("x").size(), 16u);
}

}  // namespace
}  // namespace axtrain
