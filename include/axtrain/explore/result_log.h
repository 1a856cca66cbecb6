// Results of a sweep: one row per (dataset, method, hardware point, seed), stored as JSON lines in an
// append-only log so that an interrupted sweep resumes where it stopped, and exported as CSV.
#pragma once

#include "axtrain/config/choices.h"
#include "axtrain/util/fields.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace axtrain {

// One evaluated point. Errors are fractions as in SPEC 2.8 (0.12 = 12 % error rate; regression: mean relative
// error); energies in pJ per inference; voltages in volts. Every double must be finite.
struct ResultRow {
  std::string dataset;  // dataset name as in the config, e.g. "fashion-mnist"
  Method method = Method::kBaseline;
  std::string multiplier;  // multiplier spec string (Multiplier::spec()), e.g. "K3"; "" if per layer
  std::string memory;      // memory as in the config: "none", "0.6V", "ber:1e-4"
  std::string
      layer_assignment;      // "" (same hardware everywhere) or one entry per layer: "K3,K1,exact" / "0.6V,0.7V,1.0V"
  int seed = 0;              // training seed, >= 0
  double voltage = 0;        // SRAM voltage used for energy, V (nominal when memory is none or a ber)
  double ber = 0;            // bit error rate used, in [0, 1]
  double error_exact = 0;    // E(model, exact hardware)
  double error_hw = 0;       // E(model, this hardware): mean over the Monte Carlo trials
  double error_hw_std = 0;   // standard deviation over the trials
  double error_hw_ci95 = 0;  // half-width of the 95 % confidence interval of error_hw
  int trials = 1;            // Monte Carlo trials, >= 1
  double error_hw_compensated = -1;  // E with the multiplier's bias compensated; -1 = not measured
  double sensitivity_mean = 0;       // mean weight sensitivity S_ij on the test set (SPEC 2.7)
  double energy_pj = 0;              // energy per inference, pJ
  double energy_saving = 0;          // 1 - energy_pj / energy of the exact multiplier at nominal voltage
  std::string trained_for;           // what the model was trained for: "reference" (the baseline) or a hardware
                                     // label, e.g. "K3 0.6V" (HardwarePoint::label)
  std::string fingerprint;           // of every setting that determines this row (config/fingerprints.h)

  // Unique identity of the point: dataset|method|multiplier|memory|layer_assignment|seed, with '\' and '|'
  // inside the strings escaped as "\\" and "\|", so different rows never share a key.
  std::string key() const;
};

// The field table of ResultRow in declaration order: the JSON fields and the CSV columns.
const std::vector<Field<ResultRow>>& result_row_fields();

// Every field, named as in the struct. Throws axtrain::Error naming the field for a value that breaks its
// rule (a non-finite double, trials < 1, seed < 0).
nlohmann::json to_json(const ResultRow& row);
// Reads every field back. Throws axtrain::Error naming the field when one is missing, unknown, of the wrong
// type or out of range (as to_json).
ResultRow row_from_json(const nlohmann::json& json);

// Append-only log of finished points for resumable sweeps: one JSON object (to_json) per line, UTF-8, '\n'
// terminated. One writer at a time: two processes appending to the same log are not coordinated.
class ResultLog {
 public:
  // Opens `path`, loading its rows; a missing file is an empty log (created by the first append).
  // A last line without its '\n' is the trace of a kill during a write: if it is not a complete row it is
  // removed from the file with a warning on stderr (that point will be recomputed); if it is, it is kept and
  // terminated. Any other malformed line, or a key that appears twice, throws axtrain::Error naming file:line.
  // Blank lines are skipped. A row written before rows had fingerprints (no "fingerprint" field) loads with an
  // empty one, so that no configuration matches it.
  static ResultLog open(const std::string& path);
  // Keeps only the rows whose key is in `fingerprints` with the row's own fingerprint (the rows of this
  // configuration), rewriting the file atomically when any is dropped; returns how many were dropped.
  std::size_t retain_fingerprints(const std::map<std::string, std::string>& fingerprints);

  const std::string& path() const { return path_; }
  bool contains(const std::string& key) const;
  // The row with `key`; throws axtrain::Error when the log has none (ask contains() first).
  const ResultRow& row(const std::string& key) const;
  const std::vector<ResultRow>& rows() const { return rows_; }
  // Writes one line, then fsyncs the file (and, when it creates the file, its folder) before returning, so a
  // kill never loses a finished point. Throws axtrain::Error if the key is already in the log or the file
  // cannot be written.
  void append(const ResultRow& row);

 private:
  explicit ResultLog(std::string path) : path_(std::move(path)) {}

  std::string path_;
  std::vector<ResultRow> rows_;
  std::map<std::string, std::size_t> index_;  // key -> position in rows_
};

// CSV of the rows: a header with every field of result_row_fields(), then one line per row, '\n' terminated.
// Strings are quoted when they hold a comma, quote or line break (RFC 4180); numbers are written so that they
// read back exactly.
std::string rows_csv(std::span<const ResultRow> rows);

}  // namespace axtrain
