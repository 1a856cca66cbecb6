// Histograms for reports, drawn like render_plot (svg_plot.h): one self-contained <svg>, 'nice' axes, the
// palette's colours, a legend that hides no bar.
#pragma once

#include <string>
#include <vector>

namespace axtrain {

struct HistogramGroup {
  std::string name;            // legend entry; "" = none
  std::vector<double> values;  // raw values; non-finite ones are skipped (and values <= 0 with log10)
};

// Shared bin edges and per-group counts, as render_histogram draws them. With log10_values the bins are
// equal in log10(value) and `lo`/`hi` are still values (not logs). Each group's counts sum to its number of
// finite (positive, with log10) values; the top bin includes its upper edge.
struct HistogramBins {
  double lo = 0.0, hi = 1.0;
  std::vector<std::vector<long>> counts;  // [group][bin]
};
HistogramBins histogram_bins(const std::vector<HistogramGroup>& groups, int bins, bool log10_values);

// Histogram of each group's values in `bins` (1..1000) common bins, groups overlaid as semi-transparent
// <rect class="bar"> (one per non-empty bin), y axis "count". With log10_values the x axis is logarithmic
// (ticks at decades) and the bins are equal in log10(value).
std::string render_histogram(const std::string& title, const std::string& x_label,
                             const std::vector<HistogramGroup>& groups, int bins = 40, bool log10_values = false,
                             int width = 640, int height = 400);

}  // namespace axtrain
