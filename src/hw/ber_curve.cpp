#include "axtrain/hw/ber_curve.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

namespace axtrain {
namespace {

// Names point i in messages: "line 7" for a file (lines given), "point 3" (1-based) otherwise.
std::string where(std::size_t i, const std::vector<int>* lines) {
  return lines ? fmt::format("line {}", (*lines)[i]) : fmt::format("point {}", i + 1);
}

// `source` names the curve ("BER curve" or "BER curve file 'c.csv'"); `lines` gives each point's line.
void check_points(const std::vector<BerPoint>& points, const std::string& source, const std::vector<int>* lines) {
  AXT_CHECK(points.size() >= 2,
            "{} has {} point(s); a curve needs at least 2 (voltage, ber) points to "
            "interpolate between",
            source, points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const BerPoint& p = points[i];
    AXT_CHECK(std::isfinite(p.voltage),
              "{} {}: voltage {} is not a finite number; give the supply voltage in "
              "volts, e.g. 0.6",
              source, where(i, lines), p.voltage);
    AXT_CHECK(p.ber > 0 && p.ber < 1,
              "{} {}: ber {} is outside (0, 1); give the bit error probability per "
              "cell, e.g. 3.4e-5 (for 'no errors' use a tiny rate such as 1e-15, not 0)",
              source, where(i, lines), p.ber);
    if (i == 0) continue;
    const BerPoint& q = points[i - 1];
    AXT_CHECK(p.voltage > q.voltage,
              "{} {}: voltage {} is not above the previous point's {}; list the points "
              "by strictly increasing voltage",
              source, where(i, lines), p.voltage, q.voltage);
    AXT_CHECK(p.ber <= q.ber,
              "{} {}: ber {} at {} V is above the previous point's {} at {} V; BER must not "
              "increase with voltage",
              source, where(i, lines), p.ber, p.voltage, q.ber, q.voltage);
  }
}

double parse_number(std::string_view field, const std::string& path, int line_no) {
  double value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  AXT_CHECK(!field.empty() && ec == std::errc() && end == field.data() + field.size(),
            "BER curve file '{}' line {}: '{}' is not a number; each line is 'voltage,ber' in volts and "
            "probability, e.g. 0.6,3.4e-5",
            path, line_no, printable(field));
  return value;
}

}  // namespace

BerCurve::BerCurve(std::vector<BerPoint> points) : points_(std::move(points)) {
  check_points(points_, "BER curve", nullptr);
}

BerCurve BerCurve::default_curve() {
  // BER(V) = Q((V - 0.1546) / 0.1118), the probit through (0.500 V, 1e-3) and (0.825 V, 1e-9), rounded to two
  // significant digits. Derivation and sources: docs/memory-model.md.
  return BerCurve({{0.50, 1.0e-3},
                   {0.55, 2.0e-4},
                   {0.60, 3.4e-5},
                   {0.65, 4.7e-6},
                   {0.70, 5.3e-7},
                   {0.80, 3.9e-9},
                   {0.90, 1.3e-11},
                   {1.00, 2.0e-14}});
}

BerCurve BerCurve::load(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<BerPoint> points;
  std::vector<int> lines;
  bool first_data_line = true;
  for (const TextLine& text_line : split_lines(text)) {
    const std::string_view line = trim(text_line.text);
    const int line_no = text_line.number;
    if (line.empty() || line.front() == '#') continue;
    const auto comma = line.find(',');
    AXT_CHECK(comma != std::string_view::npos && line.find(',', comma + 1) == std::string_view::npos,
              "BER curve file '{}' line {}: '{}' does not have two comma-separated fields; each line is "
              "'voltage,ber', e.g. 0.6,3.4e-5",
              path, line_no, printable(line));
    const std::string_view v_text = trim(line.substr(0, comma));
    const std::string_view b_text = trim(line.substr(comma + 1));
    const bool header = first_data_line && v_text == "voltage" && b_text == "ber";
    first_data_line = false;
    if (header) continue;
    points.push_back({parse_number(v_text, path, line_no), parse_number(b_text, path, line_no)});
    lines.push_back(line_no);
  }
  check_points(points, fmt::format("BER curve file '{}'", path), &lines);
  return BerCurve(std::move(points));
}

double BerCurve::ber_at(double voltage) const {
  AXT_CHECK(!std::isnan(voltage), "supply voltage is NaN; give a voltage in volts within [{}, {}] V", min_voltage(),
            max_voltage());
  AXT_CHECK(voltage >= min_voltage(),
            "supply voltage {} V is below the BER curve's range [{}, {}] V; raise the "
            "voltage to at least {} V or give a curve with points down to {} V",
            voltage, min_voltage(), max_voltage(), min_voltage(), voltage);
  if (voltage >= max_voltage()) return points_.back().ber;
  const auto hi = std::upper_bound(points_.begin(), points_.end(), voltage,
                                   [](double v, const BerPoint& p) { return v < p.voltage; });
  AXT_ASSERT(hi != points_.begin() && hi != points_.end());
  const BerPoint& a = *(hi - 1);
  const BerPoint& b = *hi;
  if (voltage == a.voltage) return a.ber;
  const double t = (voltage - a.voltage) / (b.voltage - a.voltage);
  // The clamp keeps rounding from stepping past a segment's end, so the curve stays monotone across points.
  return std::clamp(a.ber * std::pow(b.ber / a.ber, t), b.ber, a.ber);
}

double BerCurve::voltage_for(double ber) const {
  const BerPoint& top = points_.back();
  const BerPoint& bottom = points_.front();
  AXT_CHECK(ber >= top.ber && ber <= bottom.ber,
            "bit error rate {} is outside the BER curve's range [{}, {}] "
            "({} V down to {} V); give a rate in that range or a curve that covers it",
            ber, top.ber, bottom.ber, top.voltage, bottom.voltage);
  const auto it = std::find_if(points_.begin(), points_.end(), [ber](const BerPoint& p) { return p.ber <= ber; });
  AXT_ASSERT(it != points_.end());
  if (it == points_.begin() || it->ber == ber) return it->voltage;
  const BerPoint& a = *(it - 1);
  const double t = std::clamp(std::log(ber / a.ber) / std::log(it->ber / a.ber), 0.0, 1.0);
  return a.voltage + t * (it->voltage - a.voltage);
}

}  // namespace axtrain
