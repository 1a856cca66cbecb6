// Progress lines for people: shown on a terminal unless quiet, always on stderr, never mixed into stdout.
#pragma once

#include <string>

namespace axtrain {

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  static Progress for_terminal(bool quiet);    // enabled when stderr is a terminal and not quiet
  void line(const std::string& text) const;    // a finished line
  void status(const std::string& text) const;  // an updating line (carriage return)
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
};

}  // namespace axtrain
