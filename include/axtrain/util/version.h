// The tool's version, as `axtrain --version` prints it and run folders record it.
#pragma once

namespace axtrain {

inline constexpr const char* kToolVersion = "0.1.0";

}  // namespace axtrain
