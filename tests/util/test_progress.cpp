#include "axtrain/util/progress.h"

#include "../support/expect_error.h"

#include <gtest/gtest.h>

namespace axtrain {
namespace {

TEST(Progress, DurationsReadAsSecondsMinutesOrHours) {
  EXPECT_EQ(duration_text(0), "0.0 s");
  EXPECT_EQ(duration_text(59.94), "59.9 s");
  EXPECT_EQ(duration_text(65), "1 min 05 s");
  EXPECT_EQ(duration_text(3599.4), "59 min 59 s");
  EXPECT_EQ(duration_text(7380), "2 h 03 min");
}

TEST(Progress, EtaIsTheMeanPaceTimesWhatRemains) {
  EXPECT_EQ(eta_text(10, 1, 4), "ETA 30.0 s");
  EXPECT_EQ(eta_text(30, 2, 10), "ETA 2 min 00 s");
  EXPECT_EQ(eta_text(10, 0, 4), "") << "no pace before the first step";
  EXPECT_EQ(eta_text(10, 4, 4), "") << "nothing remains";
}

TEST(Progress, AStyleIsOneOfTheNamedOnesAndQuietSilencesIt) {
  EXPECT_TRUE(Progress::make("plain", false).enabled());
  EXPECT_TRUE(Progress::make("terminal", false).enabled());
  EXPECT_FALSE(Progress::make("plain", true).enabled());
  EXPECT_FALSE(Progress().enabled());
  test::expect_error([] { (void)Progress::make("fancy", false); }, "--progress fancy is not a progress style");
}

}  // namespace
}  // namespace axtrain
