// NumPy arrays as numpy.save writes them (.npy, format versions 1-3) and archives of them as numpy.savez and
// numpy.savez_compressed write them (.npz), read without NumPy. Numeric dtypes of either byte order, C or
// Fortran order; structured, object, complex and string dtypes are refused with the dtype named.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace axtrain {

enum class NumpyType { kBool, kInt8, kUInt8, kInt16, kUInt16, kInt32, kUInt32, kInt64, kUInt64, kFloat32, kFloat64 };

// One array, its values in C order. Example: np.save of np.zeros((2, 3), np.float32) gives shape {2, 3},
// type kFloat32 and 24 bytes of data.
struct NumpyArray {
  std::vector<std::int64_t> shape;  // {} for a 0-d array
  NumpyType type = NumpyType::kFloat64;
  std::string data;  // numel() values of item_size() bytes, little-endian, C order

  std::int64_t numel() const;
  std::size_t item_size() const;
  bool is_integer() const;            // bool and the integer types
  double value(std::size_t i) const;  // value i (exact, except 64-bit integers beyond 2^53)
  std::string shape_text() const;     // as NumPy prints it: "(60000, 28, 28)", "(5,)", "()"
  std::string dtype_text() const;     // "float32", "uint8", ...
};

// Parses the bytes of a .npy file. Throws axtrain::Error, one line naming `what` (e.g. "'x.npy'") and the
// fault: not a .npy file, an unknown format version, a malformed header, an unsupported dtype, a shape whose
// data the file does not hold (truncated), or bytes left after the data.
NumpyArray parse_npy(std::string_view bytes, std::string_view what);

// The arrays of a .npz archive's bytes, by name (the entry name without ".npy"), in archive order. Throws
// axtrain::Error naming `what` and, for a bad array, its name.
std::vector<std::pair<std::string, NumpyArray>> parse_npz(std::string_view bytes, std::string_view what);

}  // namespace axtrain
