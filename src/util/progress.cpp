#include "axtrain/util/progress.h"

#include "axtrain/util/check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace axtrain {

Progress Progress::make(std::string_view style, bool quiet) {
  AXT_CHECK(std::find(kProgressStyleNames.begin(), kProgressStyleNames.end(), style) != kProgressStyleNames.end(),
            "--progress {} is not a progress style; give one of {}", style, fmt::join(kProgressStyleNames, ", "));
  Progress p;
  if (quiet) return p;
  auto s = std::make_shared<Style>();
  s->terminal = style == "terminal" || (style == "auto" && ::isatty(STDERR_FILENO));
  p.style_ = std::move(s);
  return p;
}

void Progress::line(const std::string& text) const {
  if (!style_) return;
  std::fprintf(stderr, style_->terminal ? "\r\033[K%s\n" : "%s\n", text.c_str());
  std::fflush(stderr);
  style_->last_output = std::chrono::steady_clock::now();
}

void Progress::status(const std::string& text) const {
  if (!style_) return;
  if (style_->terminal) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - style_->last_output).count() < kPlainHeartbeatSeconds) return;
  line(text);
}

std::string duration_text(double seconds) {
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s < 3600) return fmt::format("{} min {:02} s", s / 60, s % 60);
  return fmt::format("{} h {:02} min", s / 3600, (s % 3600) / 60);
}

std::string eta_text(double elapsed_seconds, double done, double total) {
  if (done <= 0 || done >= total) return "";
  return "ETA " + duration_text(elapsed_seconds / done * (total - done));
}

std::string EpochClock::after(int epoch, int epochs) {
  if (first_epoch_ == 0) first_epoch_ = epoch;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const std::string eta = eta_text(elapsed, epoch - first_epoch_ + 1, epochs - first_epoch_ + 1);
  return "elapsed " + duration_text(elapsed) + (eta.empty() ? "" : ", " + eta);
}

}  // namespace axtrain
