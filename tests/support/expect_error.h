// Expects a call to fail with a user error (axtrain::Error) whose message is one line and contains every
// given part.
#pragma once

#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>

namespace axtrain::test {

inline void expect_error(const std::function<void()>& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "no axtrain::Error; expected one containing '" << *parts.begin() << "'";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    for (const std::string& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message;
  }
}

inline void expect_error(const std::function<void()>& fn, const std::string& part) {
  expect_error(fn, {part});
}

}  // namespace axtrain::test
