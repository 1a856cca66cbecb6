// BER(V) curve of the NTV SRAM model (SPEC 2.4): the bit error probability of one memory cell as a
// function of the supply voltage, given as a table of (V, BER) points and interpolated log-linearly
// (log10 BER linear in V). The default curve is an estimate; docs/memory-model.md gives its sources and
// how to give one's own.
#pragma once

#include <string>
#include <vector>

namespace axtrain {

// The highest supply voltage a memory setting may name, volts: SRAM supplies are around 1 V (NTV 0.4-0.7 V);
// the bound only keeps a typo such as 1e308 from passing as a voltage.
inline constexpr double kMaxSupplyVolts = 2.0;

// One point of a BER(V) curve.
struct BerPoint {
  double voltage = 0;  // supply voltage, volts, finite
  double ber = 0;      // bit error probability per cell at that voltage, in (0, 1)
};

// A validated BER(V) table. Immutable once built.
// Example: BerCurve({{0.5, 1e-3}, {0.7, 5.3e-7}, {0.9, 1.3e-11}}).ber_at(0.6)
class BerCurve {
 public:
  // At least 2 points, voltages finite and strictly increasing, every BER in (0, 1) and non-increasing
  // with voltage (a higher supply never fails more often). Throws axtrain::Error naming the point otherwise.
  explicit BerCurve(std::vector<BerPoint> points);

  // The documented default for a 65 nm SRAM: 8 points from 0.50 V (BER 1e-3) to the nominal 1.00 V
  // (BER 2e-14), a probit (Gaussian-tail) fit through two anchors from Wilkerson et al., ISCA 2008.
  // An engineering estimate, not a measured curve: see docs/memory-model.md.
  static BerCurve default_curve();

  // Reads a CSV text file: one "voltage,ber" point per line (volts, probability), optionally a first
  // header line "voltage,ber"; blank lines and lines starting with '#' are skipped. Throws axtrain::Error
  // naming the file and line for unreadable files, malformed lines and curves the constructor rejects.
  static BerCurve load(const std::string& path);

  // BER at `voltage` (volts). Exact at the table's points, log-linear between them; at or above the top
  // point it is the top point's BER (the curve is flat there: no extrapolation towards 0). Below the lowest
  // point it throws axtrain::Error naming the voltage, the curve's range and the fix.
  double ber_at(double voltage) const;

  // The inverse: the lowest voltage (volts) whose ber_at() equals `ber`. `ber` must lie within the curve's
  // BER range [top point's BER, lowest point's BER]; otherwise throws axtrain::Error naming both.
  double voltage_for(double ber) const;

  // The points, by increasing voltage.
  const std::vector<BerPoint>& points() const { return points_; }
  double min_voltage() const { return points_.front().voltage; }  // volts
  double max_voltage() const { return points_.back().voltage; }   // volts

 private:
  std::vector<BerPoint> points_;
};

}  // namespace axtrain
