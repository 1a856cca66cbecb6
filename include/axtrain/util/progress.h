// Progress for people, always on stderr, never mixed into stdout. Two forms:
//   terminal: status() rewrites one line in place (carriage return), line() ends it;
//   plain   : for logs and pipes: line() prints plain lines without escape codes, and status() prints a plain
//             line only when nothing was printed for kPlainHeartbeatSeconds (a long step still shows life).
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace axtrain {

enum class ProgressStyle { kAuto, kTerminal, kPlain };
inline constexpr std::array<std::string_view, 3> kProgressStyleNames = {"auto", "terminal", "plain"};
inline constexpr double kPlainHeartbeatSeconds = 30;

class Progress {
 public:
  Progress() = default;  // silent
  // auto: terminal when stderr is a terminal, else plain. quiet: silent whatever the style.
  // Throws axtrain::Error for a style name that is not one of kProgressStyleNames.
  static Progress make(std::string_view style, bool quiet);
  void line(const std::string& text) const;    // a finished line
  void status(const std::string& text) const;  // a passing state: rewritten in place, or a heartbeat line
  bool enabled() const { return style_ != nullptr; }

 private:
  struct Style {
    bool terminal = false;
    mutable std::chrono::steady_clock::time_point last_output = std::chrono::steady_clock::now();
  };
  std::shared_ptr<const Style> style_;  // shared: copies of one Progress keep one heartbeat clock
};

// Elapsed time and ETA of a run of epochs that may start later than epoch 1 (a resumed run): after(e, n) is
// "elapsed 1 min 05 s, ETA 3 min 10 s" once epoch e of n is done (no ETA after the last).
class EpochClock {
 public:
  std::string after(int epoch, int epochs);

 private:
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  int first_epoch_ = 0;
};

// The ETA of a loop: the time the remaining steps take at the mean pace so far, as "ETA 1 min 20 s"; "" before
// the first step is done.
std::string eta_text(double elapsed_seconds, double done, double total);
// Seconds as "12.3 s", "4 min 05 s" or "2 h 03 min".
std::string duration_text(double seconds);

}  // namespace axtrain
