// IDX files (the MNIST / Fashion-MNIST format): magic bytes 0x00 0x00 <type> <ndims>, then ndims big-endian
// uint32 dimensions, then prod(dims) data items, row-major. Only type 0x08 (unsigned byte) is supported.
// A path ending in ".gz" is a gzip file (read and written with zlib); any other path is raw.
#pragma once

#include "axtrain/data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace axtrain {

struct IdxArray {
  std::vector<std::int64_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels; 1..255 dims
  std::vector<std::uint8_t> data;  // prod(dims) bytes, row-major (last dimension fastest)
};

// Reads an IDX file. Throws axtrain::Error naming the file for: a missing file, a corrupt or truncated gzip
// stream, a bad magic, a data type other than 0x08, zero dimensions, or a data length that disagrees with
// the declared dimensions (truncated file or trailing bytes).
IdxArray read_idx(const std::string& path);

// Encodes `array` as IDX bytes (no compression). dims must be 1..255 entries, each in 0..2^32-1, and
// data.size() == prod(dims); otherwise axtrain::Error.
std::string encode_idx(const IdxArray& array);

// Writes `array` to `path` atomically (write_file_atomic); gzip = true compresses it (gzip header, zlib
// deflate) in memory first. For tests and fixtures; the reader picks the format from the ".gz" suffix.
void write_idx(const std::string& path, const IdxArray& array, bool gzip);

// A classification dataset from an image file and a label file. Images: 3-D {n, H, W} gives
// sample_shape {1, H, W}; 2-D {n, D} gives {D}. Pixels are divided by 255, so features lie in [0, 1].
// Labels: 1-D {n}; num_classes = max label + 1. Throws axtrain::Error if the counts disagree.
Dataset idx_dataset(const std::string& images_path, const std::string& labels_path, const std::string& name);

}  // namespace axtrain
