// NumPy files (data/numpy_file.h) and datasets of them (data/numpy_dataset.h), on bytes laid out as numpy.save
// and numpy.savez write them: every dtype and both byte orders, Fortran order, format versions 1 and 2, and one
// line naming the fault for each malformed file.
#include "axtrain/data/numpy_dataset.h"
#include "axtrain/data/numpy_file.h"

#include "../support/expect_error.h"
#include "../support/numpy_writer.h"
#include "../support/zip_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace axtrain {
namespace {

using test::bytes_of;
using test::npy;

std::vector<double> values_of(const NumpyArray& a) {
  std::vector<double> v;
  for (std::int64_t i = 0; i < a.numel(); ++i) v.push_back(a.value(static_cast<std::size_t>(i)));
  return v;
}

TEST(NumpyFile, ReadsEveryDtypeInCOrder) {
  const NumpyArray f = parse_npy(npy("<f4", "(2, 3)", bytes_of<float>({1, 2, 3, 4, 5, -6.5f})), "'x.npy'");
  EXPECT_EQ(f.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(f.shape_text(), "(2, 3)");
  EXPECT_EQ(f.dtype_text(), "float32");
  EXPECT_EQ(values_of(f), (std::vector<double>{1, 2, 3, 4, 5, -6.5}));
  EXPECT_EQ(values_of(parse_npy(npy("|u1", "(3,)", std::string("\x00\x7f\xff", 3)), "u8")),
            (std::vector<double>{0, 127, 255}));
  EXPECT_EQ(values_of(parse_npy(npy("|i1", "(2,)", "\x80\x01"), "i8")), (std::vector<double>{-128, 1}));
  EXPECT_EQ(values_of(parse_npy(npy("|b1", "(2,)", std::string("\x00\x01", 2)), "b")), (std::vector<double>{0, 1}));
  EXPECT_EQ(values_of(parse_npy(npy("<i8", "(2,)", bytes_of<std::int64_t>({-3, 1LL << 40})), "i64")),
            (std::vector<double>{-3, 1099511627776.0}));
  EXPECT_EQ(values_of(parse_npy(npy("<u2", "(1,)", bytes_of<std::uint16_t>({65535})), "u16")),
            (std::vector<double>{65535}));
  EXPECT_EQ(values_of(parse_npy(npy("<f8", "(1,)", bytes_of<double>({0.1})), "f64")), (std::vector<double>{0.1}));
  const NumpyArray scalar = parse_npy(npy("<i4", "()", bytes_of<std::int32_t>({7})), "s");
  EXPECT_EQ(scalar.shape_text(), "()");
  EXPECT_EQ(values_of(scalar), (std::vector<double>{7}));
  EXPECT_EQ(parse_npy(npy("<f4", "(0, 3)", ""), "empty").numel(), 0);
  EXPECT_EQ(values_of(parse_npy(npy("<f4", "(2,)", bytes_of<float>({1, 2}), false, 2), "v2")),
            (std::vector<double>{1, 2}));
}

TEST(NumpyFile, BigEndianAndFortranOrderComeBackAsLittleEndianCOrder) {
  EXPECT_EQ(values_of(parse_npy(npy(">i2", "(2,)", std::string("\x01\x02\xff\xfe", 4)), "be")),
            (std::vector<double>{258, -2}));
  // [[1, 2, 3], [4, 5, 6]] in Fortran order is 1 4 2 5 3 6.
  const NumpyArray f = parse_npy(npy("<i4", "(2, 3)", bytes_of<std::int32_t>({1, 4, 2, 5, 3, 6}), true), "f");
  EXPECT_EQ(values_of(f), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  // shape (2, 2, 2): element [i][j][k] at i + 2 j + 4 k in Fortran order.
  std::vector<std::int32_t> fortran(8);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k) fortran[static_cast<std::size_t>(i + 2 * j + 4 * k)] = 100 * i + 10 * j + k;
  EXPECT_EQ(values_of(parse_npy(npy("<i4", "(2, 2, 2)", bytes_of(fortran), true), "f3")),
            (std::vector<double>{0, 1, 10, 11, 100, 101, 110, 111}));
}

TEST(NumpyFile, MalformedFilesGetOneLineNamingTheFault) {
  const std::string data = bytes_of<float>({1, 2});
  test::expect_error([] { parse_npy("GIF89a not npy", "'x.npy'"); }, {"'x.npy' is not a .npy file", "numpy.save"});
  test::expect_error([] { parse_npy("PK\x03\x04 an archive", "'x.npy'"); }, "'x.npy' is an .npz archive, not a .npy");
  std::string v4 = npy("<f4", "(2,)", data);
  v4[6] = 4;
  test::expect_error([&] { parse_npy(v4, "'x.npy'"); }, "format version 4");
  const std::string whole = npy("<f4", "(2,)", data);
  test::expect_error([&] { parse_npy(whole.substr(0, whole.size() - 1), "'x.npy'"); },
                     {"holds 7 bytes of data", "shape (2,) of float32", "truncated"});
  test::expect_error([&] { parse_npy(whole.substr(0, 30), "'x.npy'"); }, "ends inside its .npy header");
  test::expect_error([&] { parse_npy(whole + "xy", "'x.npy'"); }, "padded or corrupt");
  test::expect_error([&] { parse_npy(npy("<f4", "(1000000000, 1000000000, 1000000000)", data), "'x.npy'"); },
                     "truncated");
  test::expect_error([&] { parse_npy(npy("<c8", "(1,)", data), "'x.npy'"); }, {"complex numbers", "'<c8'"});
  test::expect_error([&] { parse_npy(npy("|O", "(1,)", data), "'x.npy'"); }, "Python objects");
  test::expect_error([&] { parse_npy(npy("<f2", "(4,)", data), "'x.npy'"); }, "float16");
  test::expect_error([&] { parse_npy(npy("<U3", "(1,)", data), "'x.npy'"); }, "strings");
  std::string structured = npy("<f4", "(2,)", data);
  structured.replace(structured.find("'<f4'"), 5, "[('a', '<f4')]");
  test::expect_error([&] { parse_npy(structured, "'x.npy'"); }, "structured array");
  std::string no_shape = npy("<f4", "(2,)", data);
  no_shape.replace(no_shape.find("'shape'"), 7, "'shapes'");
  test::expect_error([&] { parse_npy(no_shape, "'x.npy'"); }, {"malformed .npy header", "unknown key 'shapes'"});
  test::expect_error([&] { parse_npy(npy("<f4", "(2, x)", data), "'x.npy'"); }, "'shape' is not a tuple");
}

TEST(NumpyFile, ArchivesGiveTheirArraysByName) {
  const std::string x = npy("<f4", "(2,)", bytes_of<float>({1, 2})),
                    y = npy("<i8", "(2,)", bytes_of<std::int64_t>({0, 1}));
  for (const std::uint16_t method :
       {std::uint16_t{0}, std::uint16_t{8}}) {  // numpy.savez stores, numpy.savez_compressed deflates
    const auto arrays =
        parse_npz(test::zip({{"x.npy", x}, {"y.npy", y}}, {.zip64 = false, .method = method}), "'d.npz'");
    ASSERT_EQ(arrays.size(), 2U);
    EXPECT_EQ(arrays[0].first, "x");
    EXPECT_EQ(values_of(arrays[0].second), (std::vector<double>{1, 2}));
    EXPECT_EQ(arrays[1].first, "y");
  }
  test::expect_error([&] { parse_npz(test::zip({{"x.txt", x}}), "'d.npz'"); }, "entry 'x.txt', which is not a .npy");
  test::expect_error([&] { parse_npz(test::zip({{"x.npy", x.substr(0, 40)}}), "'d.npz'"); }, "array 'x' of 'd.npz'");
  test::expect_error([&] { parse_npz(x, "'d.npz'"); }, "'d.npz' is a .npy file, not an .npz archive");
  test::expect_error([&] { parse_npz("garbage", "'d.npz'"); }, "'d.npz' is not a readable zip archive");
}

TEST(NumpyDataset, ClassIdsAreClassificationAndUint8ImagesAreScaled) {
  std::string note;
  const NumpyArray x = parse_npy(npy("|u1", "(3, 1, 2)", std::string("\x00\xff\x33\x66\x99\xcc", 6)), "x");
  const NumpyArray y = parse_npy(npy("<i8", "(3,)", bytes_of<std::int64_t>({2, 0, 4})), "y");
  const Dataset d = numpy_dataset("d.npz", x, y, std::nullopt, note);
  EXPECT_EQ(d.task, Task::kClassification);
  EXPECT_EQ(d.sample_shape, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(d.features, (std::vector<float>{0.0f, 1.0f, 0.2f, 0.4f, 0.6f, 0.8f}));
  EXPECT_EQ(d.labels, (std::vector<std::int64_t>{2, 0, 4}));
  EXPECT_EQ(d.num_classes, 5);
  EXPECT_NE(note.find("classification"), std::string::npos) << note;
  const NumpyArray t = parse_npy(npy("<f8", "(3, 2)", bytes_of<double>({1, 2, 3, 4, 5, 6})), "t");
  const Dataset r = numpy_dataset("d.npz", x, t, std::nullopt, note);
  EXPECT_EQ(r.task, Task::kRegression);
  EXPECT_EQ(r.target_dim, 2);
  EXPECT_EQ(r.targets, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  const NumpyArray f = parse_npy(npy("<f4", "(3,)", bytes_of<float>({1, 0, 3})), "f");
  EXPECT_EQ(numpy_dataset("d", f, f, Task::kClassification, note).num_classes, 4) << "whole floats are class ids";
  EXPECT_EQ(numpy_dataset("d", f, f, std::nullopt, note).sample_shape, (std::vector<std::int64_t>{1}));
  const NumpyArray column = parse_npy(npy("<i4", "(3, 1)", bytes_of<std::int32_t>({1, 0, 1})), "c");
  const Dataset from_column = numpy_dataset("d", x, column, std::nullopt, note);
  EXPECT_EQ(from_column.task, Task::kClassification) << "a column of class ids, as pandas' df[['label']] gives";
  EXPECT_EQ(from_column.labels, (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(numpy_dataset("d", x, column, Task::kRegression, note).target_dim, 1);
  const NumpyArray no_features = parse_npy(npy("<f4", "(3, 0)", ""), "z");
  EXPECT_EQ(no_features.numel(), 0) << "a dimension of 0 holds no data, and needs none";
}

TEST(NumpyDataset, ArraysThatDoNotFitGetOneLine) {
  std::string note;
  const auto f32 = [](const std::string& shape, const std::vector<float>& v) {
    return parse_npy(npy("<f4", shape, bytes_of(v)), "a");
  };
  const NumpyArray x = f32("(2, 2)", {1, 2, 3, 4});
  test::expect_error(
      [&] {
        numpy_dataset("d", x, f32("(3,)", {0, 1, 2}), std::nullopt, note);
      },
      "'d' has 2 feature rows but 3 targets");
  test::expect_error(
      [&] {
        numpy_dataset("d", x, f32("(2, 1, 1)", {0, 1}), std::nullopt, note);
      },
      "needs shape (n,) or (n, t)");
  test::expect_error(
      [&] {
        numpy_dataset("d", f32("(2, 2)", {1, NAN, 3, 4}), f32("(2,)", {0, 1}), std::nullopt, note);
      },
      {"features array of 'd'", "in sample 0 (flat index 1)", "not a finite"});
  test::expect_error(
      [&] {
        numpy_dataset("d", x, f32("(2,)", {0, 1.5f}), Task::kClassification, note);
      },
      "1.5 for sample 1, which is not a class id");
  const NumpyArray negative = parse_npy(npy("<i4", "(2,)", bytes_of<std::int32_t>({0, -1})), "n");
  test::expect_error([&] { numpy_dataset("d", x, negative, std::nullopt, note); }, "-1 for sample 1");
  test::expect_error(
      [&] {
        numpy_dataset("d", x, f32("(2, 2)", {0, 1, 2, 3}), Task::kClassification, note);
      },
      {"classification needs one class id per sample", "numpy.argmax(y, axis=1)"});
  const NumpyArray no_features = parse_npy(npy("<f4", "(2, 0)", ""), "z");
  test::expect_error(
      [&] {
        numpy_dataset("d", no_features, f32("(2,)", {0, 1}), std::nullopt, note);
      },
      "no values per sample");
}

TEST(NumpyDataset, AnArchiveWithoutTheNamedArraysListsWhatItHolds) {
  const std::string path = ::testing::TempDir() + "numpy_dataset_names.npz";
  const std::string x = npy("<f4", "(2,)", bytes_of<float>({1, 2}));
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const std::string bytes = test::zip({{"features.npy", x}, {"labels.npy", x}, {"arr_0.npy", x}});
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  std::string note;
  const DataSource source = parse_data_source("npz:" + path);
  test::expect_error([&] { load_numpy_dataset(source, "x", "y", std::nullopt, note); },
                     {"has no array named 'x'", "holds 'features', 'labels', 'arr_0'", "npz_features (--npz_features)",
                      "numpy.savez(f, x, y) names them arr_0 and arr_1"});
  const Dataset d = load_numpy_dataset(source, "features", "labels", Task::kRegression, note);
  EXPECT_EQ(d.size(), 2U);
  std::remove(path.c_str());
}

TEST(DataSource, FileFormsNeedTheirPaths) {
  EXPECT_EQ(parse_data_source("npy:a.npy,b.npy").paths, (std::vector<std::string>{"a.npy", "b.npy"}));
  EXPECT_EQ(data_source_text(parse_data_source("npy:a.npy,b.npy")), "npy:a.npy,b.npy");
  EXPECT_EQ(parse_data_source("sobel").kind, SourceKind::kBuiltin);
  EXPECT_EQ(parse_data_source("npz:d.npz").kind, SourceKind::kNpz);
  test::expect_error([] { parse_data_source("npz:"); }, "needs a file path, e.g. npz:data/train.npz");
  test::expect_error([] { parse_data_source("npy:a.npy"); }, "needs two .npy files");
  test::expect_error([] { parse_data_source("npy:a,b,c"); }, "needs two .npy files");
}

}  // namespace
}  // namespace axtrain
