#include "../support/expect_error.h"
#include "axtrain/hw/ber_curve.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

namespace axtrain {
namespace {

using test::expect_error;

constexpr double kRelTol = 1e-12;  // interpolation arithmetic: a few ulps of log/pow

// Parameters of the probit the default curve is fitted with (docs/memory-model.md).
constexpr double kProbitMu = 0.15458;     // volts
constexpr double kProbitSigma = 0.11178;  // volts

double probit_ber(double voltage) {
  return 0.5 * std::erfc((voltage - kProbitMu) / kProbitSigma / std::sqrt(2.0));
}

BerCurve three_point_curve() {
  return BerCurve({{0.5, 1e-3}, {0.7, 1e-7}, {0.9, 1e-11}});
}

// Writes `content` to a per-test file under the gtest temp folder and returns its path.
std::string write_temp(const std::string& name, const std::string& content) {
  const std::string path = (std::filesystem::path(testing::TempDir()) / name).string();
  write_file_atomic(path, content);
  return path;
}

TEST(BerCurve, ExactAtPoints) {
  const BerCurve curve = BerCurve::default_curve();
  for (const BerPoint& p : curve.points()) EXPECT_EQ(curve.ber_at(p.voltage), p.ber) << p.voltage;
}

TEST(BerCurve, LogLinearBetweenPoints) {
  const BerCurve curve = three_point_curve();
  EXPECT_NEAR(curve.ber_at(0.6), 1e-5, 1e-5 * kRelTol);
  EXPECT_NEAR(curve.ber_at(0.8), 1e-9, 1e-9 * kRelTol);
  EXPECT_NEAR(curve.ber_at(0.55), 1e-4, 1e-4 * kRelTol);  // a quarter of the way: one decade of four
}

TEST(BerCurve, MonotoneNonIncreasing) {
  const BerCurve curve = BerCurve::default_curve();
  double previous = curve.ber_at(curve.min_voltage());
  for (int mv = 500; mv <= 1100; ++mv) {
    const double ber = curve.ber_at(mv / 1000.0);
    EXPECT_LE(ber, previous) << mv << " mV";
    previous = ber;
  }
}

TEST(BerCurve, ClampsAtAndAboveTopPoint) {
  const BerCurve curve = three_point_curve();
  EXPECT_EQ(curve.ber_at(0.9), 1e-11);
  EXPECT_EQ(curve.ber_at(1.2), 1e-11);
  EXPECT_EQ(curve.ber_at(1e9), 1e-11);
}

TEST(BerCurve, BelowLowestPointThrowsNamingVoltageAndRange) {
  const BerCurve curve = three_point_curve();
  expect_error([&] { curve.ber_at(0.45); }, {"0.45", "[0.5, 0.9]", "below"});
  expect_error([&] { curve.ber_at(std::nan("")); }, {"NaN"});
}

TEST(BerCurve, InverseRoundTrips) {
  const BerCurve curve = BerCurve::default_curve();
  for (double log_ber = -3; log_ber >= -13.5; log_ber -= 0.25) {
    const double ber = std::pow(10.0, log_ber);
    EXPECT_NEAR(curve.ber_at(curve.voltage_for(ber)), ber, ber * 1e-9) << ber;
  }
  for (int mv = 500; mv <= 1000; mv += 7) {
    const double v = mv / 1000.0;
    EXPECT_NEAR(curve.voltage_for(curve.ber_at(v)), v, 1e-9) << mv << " mV";
  }
  for (const BerPoint& p : curve.points()) EXPECT_EQ(curve.voltage_for(p.ber), p.voltage);
}

TEST(BerCurve, InverseOfFlatStretchIsItsLowestVoltage) {
  const BerCurve curve({{0.5, 1e-3}, {0.6, 1e-5}, {0.7, 1e-5}, {0.8, 1e-7}});
  EXPECT_EQ(curve.voltage_for(1e-5), 0.6);
  EXPECT_EQ(curve.ber_at(0.65), 1e-5);
}

TEST(BerCurve, InverseOutsideRangeThrows) {
  const BerCurve curve = three_point_curve();
  expect_error([&] { curve.voltage_for(1e-2); }, {"0.01", "outside"});
  expect_error([&] { curve.voltage_for(1e-12); }, {"1e-12", "outside"});
  expect_error([&] { curve.voltage_for(0); }, {"outside"});
}

TEST(BerCurve, ConstructorRejectsBadTables) {
  expect_error([] { BerCurve({{0.5, 1e-3}}); }, {"1 point", "at least 2"});
  expect_error([] { BerCurve({{0.6, 1e-3}, {0.5, 1e-5}}); }, {"point 2", "increasing voltage"});
  expect_error([] { BerCurve({{0.5, 1e-3}, {0.5, 1e-5}}); }, {"point 2", "increasing voltage"});
  expect_error([] { BerCurve({{0.5, 1e-3}, {0.6, 1e-2}}); }, {"point 2", "must not increase"});
  expect_error([] { BerCurve({{0.5, 1e-3}, {0.6, 0}}); }, {"point 2", "(0, 1)"});
  expect_error([] { BerCurve({{0.5, 1}, {0.6, 1e-3}}); }, {"point 1", "(0, 1)"});
  expect_error([] { BerCurve({{std::nan(""), 1e-3}, {0.6, 1e-4}}); }, {"point 1", "finite"});
}

TEST(BerCurve, DefaultCurveIsTheProbitThroughWilkersonAnchors) {
  const BerCurve curve = BerCurve::default_curve();
  ASSERT_GE(curve.points().size(), 5u);
  ASSERT_LE(curve.points().size(), 8u);
  EXPECT_DOUBLE_EQ(curve.min_voltage(), 0.5);
  EXPECT_DOUBLE_EQ(curve.max_voltage(), 1.0);
  EXPECT_DOUBLE_EQ(curve.ber_at(0.5), 1e-3);  // anchor: Wilkerson et al. 2008, bit failure at 500 mV
  for (const BerPoint& p : curve.points()) {
    EXPECT_NEAR(p.ber, probit_ber(p.voltage), 0.03 * probit_ber(p.voltage)) << p.voltage << " V";
  }
  // Second anchor: ~1e-9 at Vccmin = 825 mV, here interpolated between the 0.8 V and 0.9 V points.
  EXPECT_GT(curve.ber_at(0.825), 0.8e-9);
  EXPECT_LT(curve.ber_at(0.825), 1.25e-9);
}

TEST(BerCurve, LoadsCsvWithHeaderCommentsAndBlankLines) {
  const std::string path = write_temp("ber_ok.csv",
                                      "# my 28 nm curve\n"
                                      "voltage,ber\n"
                                      "\n"
                                      "0.45, 2e-2\r\n"
                                      "  # a comment between points\n"
                                      "0.6,1e-5\n"
                                      "0.8,1e-9");  // no final newline
  const BerCurve curve = BerCurve::load(path);
  ASSERT_EQ(curve.points().size(), 3u);
  EXPECT_EQ(curve.points()[0].voltage, 0.45);
  EXPECT_EQ(curve.points()[0].ber, 2e-2);
  EXPECT_EQ(curve.points()[2].voltage, 0.8);
  EXPECT_EQ(curve.points()[2].ber, 1e-9);
  EXPECT_NEAR(curve.ber_at(0.7), 1e-7, 1e-7 * kRelTol);
}

TEST(BerCurve, MalformedFilesThrowNamingFileAndLine) {
  expect_error([] { BerCurve::load(write_temp("ber_nan.csv", "voltage,ber\n0.5,1e-3\n0.6,abc\n")); },
               {"ber_nan.csv", "line 3", "'abc' is not a number"});
  expect_error([] { BerCurve::load(write_temp("ber_fields.csv", "0.5,1e-3\n0.6 1e-4\n")); },
               {"ber_fields.csv", "line 2", "two comma-separated"});
  expect_error([] { BerCurve::load(write_temp("ber_order.csv", "0.6,1e-5\n# c\n0.5,1e-3\n")); },
               {"ber_order.csv", "line 3", "increasing voltage"});
  expect_error([] { BerCurve::load(write_temp("ber_range.csv", "0.5,1e-3\n0.6,0\n")); },
               {"ber_range.csv", "line 2", "(0, 1)"});
  expect_error([] { BerCurve::load(write_temp("ber_big.csv", "0.5,1.5\n0.6,1e-3\n")); },
               {"ber_big.csv", "line 1", "(0, 1)"});
  expect_error([] { BerCurve::load(write_temp("ber_one.csv", "voltage,ber\n0.5,1e-3\n")); },
               {"ber_one.csv", "1 point"});
  expect_error([] { BerCurve::load(write_temp("ber_header_late.csv", "0.5,1e-3\nvoltage,ber\n")); },
               {"ber_header_late.csv", "line 2", "not a number"});
  expect_error([] { BerCurve::load((std::filesystem::path(testing::TempDir()) / "ber_missing.csv").string()); },
               {"ber_missing.csv"});
}

}  // namespace
}  // namespace axtrain
