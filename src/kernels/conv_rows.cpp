#include "axtrain/kernels/conv_rows.h"

#include <algorithm>
#include <vector>

namespace axtrain {
namespace {

// One sample surrounded by `padding` entries of `pad` on each side: {channels, height + 2p, width + 2p}.
template <typename T>
struct PaddedImage {
  PaddedImage(const ConvGeometry& g, T pad)
      : height(g.height + 2 * g.padding), width(g.width + 2 * g.padding), values(g.channels * height * width, pad) {}
  T* line(int64_t c, int64_t h) { return values.data() + (c * height + h) * width; }
  int64_t height, width;
  std::vector<T> values;
};

// The kernel row's k entries at `from` to `to`, or added to it; K = k where known at compile time (0: not).
template <int K, typename T>
inline void copy_entries(const T* from, T* to, int64_t k) {
  const int64_t n = K > 0 ? K : k;
  for (int64_t i = 0; i < n; ++i) to[i] = from[i];
}
template <int K, typename T>
inline void add_entries(const T* from, T* to, int64_t k) {
  const int64_t n = K > 0 ? K : k;
  for (int64_t i = 0; i < n; ++i) to[i] += from[i];
}

template <int K, typename T>
void unfold_padded(PaddedImage<T>& image, const ConvGeometry& g, T* rows) {
  const int64_t oh_count = g.out_height(), ow_count = g.out_width(), k = g.kernel;
  T* out = rows;
  for (int64_t oh = 0; oh < oh_count; ++oh)
    for (int64_t ow = 0; ow < ow_count; ++ow)
      for (int64_t c = 0; c < g.channels; ++c)
        for (int64_t kh = 0; kh < k; ++kh, out += k)
          copy_entries<K>(image.line(c, oh * g.stride + kh) + ow * g.stride, out, k);
}

// Positions from the last to the first: a pixel's entries then arrive with their column j = (c, kh, kw)
// ascending (a larger kh or kw means a smaller output row or column), torch's col2im order, while each row is
// read in order. Within one position every entry goes to another pixel.
template <int K, typename T>
void fold_padded(const T* rows, const ConvGeometry& g, PaddedImage<T>& image) {
  const int64_t ow_count = g.out_width(), k = g.kernel, patch = g.patch();
  for (int64_t l = g.positions() - 1; l >= 0; --l) {
    const int64_t oh = l / ow_count, ow = l % ow_count;
    const T* in = rows + l * patch;
    for (int64_t c = 0; c < g.channels; ++c)
      for (int64_t kh = 0; kh < k; ++kh, in += k)
        add_entries<K>(in, image.line(c, oh * g.stride + kh) + ow * g.stride, k);
  }
}

}  // namespace

template <typename T>
void unfold_rows(const T* image, const ConvGeometry& g, T pad, T* rows) {
  PaddedImage<T> padded(g, pad);
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t h = 0; h < g.height; ++h)
      std::copy_n(image + (c * g.height + h) * g.width, g.width, padded.line(c, h + g.padding) + g.padding);
  switch (g.kernel) {
    case 3: return unfold_padded<3>(padded, g, rows);
    case 5: return unfold_padded<5>(padded, g, rows);
    default: return unfold_padded<0>(padded, g, rows);
  }
}

template <typename T>
void fold_rows(const T* rows, const ConvGeometry& g, T* image) {
  PaddedImage<T> padded(g, T(0));
  switch (g.kernel) {
    case 3: fold_padded<3>(rows, g, padded); break;
    case 5: fold_padded<5>(rows, g, padded); break;
    default: fold_padded<0>(rows, g, padded); break;
  }
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t h = 0; h < g.height; ++h)
      std::copy_n(padded.line(c, h + g.padding) + g.padding, g.width, image + (c * g.height + h) * g.width);
}

template void unfold_rows<std::uint8_t>(const std::uint8_t*, const ConvGeometry&, std::uint8_t, std::uint8_t*);
template void unfold_rows<float>(const float*, const ConvGeometry&, float, float*);
template void unfold_rows<double>(const double*, const ConvGeometry&, double, double*);
template void fold_rows<float>(const float*, const ConvGeometry&, float*);
template void fold_rows<double>(const double*, const ConvGeometry&, double*);

}  // namespace axtrain
