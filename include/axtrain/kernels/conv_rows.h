// A 2-D convolution's input as GEMM rows (im2row) and back (row2im), for one sample, on plain arrays.
//
// Rows are the layout the approximate GEMM reads: row l = output position (oh, ow), column j = (c, kh, kw),
// j = (c k + kh) k + kw. This is torch's im2col output transposed, so an approximate convolution unfolds its
// 8-bit codes (one byte an entry) instead of its float input, and the float operands only where a gradient
// needs them.
#pragma once

#include <cstdint>

namespace axtrain {

// A square kernel over one sample {channels, height, width}, dilation 1.
struct ConvGeometry {
  int64_t channels = 1, height = 1, width = 1;
  int64_t kernel = 1, stride = 1, padding = 0;

  int64_t out_height() const { return (height + 2 * padding - kernel) / stride + 1; }
  int64_t out_width() const { return (width + 2 * padding - kernel) / stride + 1; }
  int64_t positions() const { return out_height() * out_width(); }  // rows per sample
  int64_t patch() const { return channels * kernel * kernel; }      // columns
  int64_t image() const { return channels * height * width; }       // entries per sample
};

// rows {positions, patch} from image {channels, height, width}; entries outside the image are `pad`.
template <typename T>
void unfold_rows(const T* image, const ConvGeometry& g, T pad, T* rows);

// image {channels, height, width} = the sum of each row entry at its pixel (entries outside are dropped),
// added in torch's col2im order (column j ascending, then position), from zero: the same roundings as torch's
// im2col backward. Overwrites image.
template <typename T>
void fold_rows(const T* rows, const ConvGeometry& g, T* image);

extern template void unfold_rows<std::uint8_t>(const std::uint8_t*, const ConvGeometry&, std::uint8_t, std::uint8_t*);
extern template void unfold_rows<float>(const float*, const ConvGeometry&, float, float*);
extern template void unfold_rows<double>(const double*, const ConvGeometry&, double, double*);
extern template void fold_rows<float>(const float*, const ConvGeometry&, float*);
extern template void fold_rows<double>(const double*, const ConvGeometry&, double*);

}  // namespace axtrain
