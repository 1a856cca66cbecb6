// Stopping a long run cleanly on SIGINT (Ctrl-C) or SIGTERM. While an InterruptGuard lives, the first such signal
// only sets a flag that the run polls between steps; the run then saves its state and throws Interrupted. A
// second signal ends the process at once, as it would without the guard.
#pragma once

#include <stdexcept>
#include <string>

namespace axtrain {

class InterruptGuard {
 public:
  InterruptGuard();   // clears the flag and installs the handlers
  ~InterruptGuard();  // restores the previous handlers
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

// The signal (SIGINT or SIGTERM) received while a guard lived, or 0.
int interrupt_signal();

// Thrown by a run that stopped on a signal after saving its state. The CLI prints the message (how to resume)
// and exits with 128 + the signal, as a shell does for a process the signal ended.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int signal, const std::string& message) : std::runtime_error(message), signal_(signal) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

}  // namespace axtrain
