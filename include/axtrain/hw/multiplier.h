// A multiplier: a design (SPEC 2.2) named by a spec string, with its full 256 x 256 product table.
//
// Spec strings: exact | kulkarni:k | K1 | K2 | K3 | truncated:t | drum:k | mitchell | lut:PATH[,options]
// (options in table_file.h). A spec parses into a Multiplier and spec() prints it back unchanged.
#pragma once

#include "axtrain/hw/designs.h"
#include "axtrain/hw/error_decomposition.h"
#include "axtrain/hw/product_table.h"
#include "axtrain/hw/table_file.h"

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace axtrain {

// A table loaded from a file; the products live in the Multiplier's table.
struct LutMul {
  std::string path;
  TableOptions options;
  bool operator==(const LutMul&) const = default;
};

using MultiplierDesign = std::variant<ExactMul, KulkarniMul, TruncatedMul, DrumMul, MitchellMul, LutMul>;

// Immutable and cheap to copy (the table and the decomposition are shared by all copies).
class Multiplier {
 public:
  // Parses a spec string. Throws axtrain::Error naming the bad part and the valid choices.
  static Multiplier parse(std::string_view spec);

  const std::string& spec() const { return spec_; }
  const MultiplierDesign& design() const { return design_; }
  bool is_signed() const { return table().is_signed(); }
  const ProductTable& table() const;
  // f(a, b) for codes a, b (0..255 unsigned, -128..127 signed).
  std::int32_t multiply(int a, int b) const { return table().at(table().index_of(a), table().index_of(b)); }
  // One line for people, e.g. "Kulkarni under-designed multiplier, 2x2 blocks with i+j < 7 approximate".
  std::string description() const;
  // decompose_error(table()) with the default number of terms, computed on first use (thread-safe) and
  // shared by every copy of this multiplier.
  const ErrorDecomposition& decomposition() const;
  // The table's relative errors for moment queries, built on first use (thread-safe) and shared likewise.
  const RelativeErrorTable& relative_errors() const;

 private:
  struct Shared;
  Multiplier(std::string spec, MultiplierDesign design, std::shared_ptr<Shared> shared);

  std::string spec_;
  MultiplierDesign design_;
  std::shared_ptr<Shared> shared_;  // the table, and the decomposition once computed
};

// The design a spec names, without building its table or reading a lut: file (Multiplier::parse does both).
// Throws axtrain::Error as Multiplier::parse does.
MultiplierDesign parse_multiplier_design(std::string_view spec);
// Checks a spec as Multiplier::parse would, building no table: a lut: file is read and checked, a formula
// design is not tabulated.
void check_multiplier_spec(std::string_view spec);

// Tabulates a formula design (every alternative but LutMul) over all unsigned code pairs.
ProductTable tabulate(const MultiplierDesign& design);

// Specs of the built-in designs and presets, as listed by `axtrain hw list`.
std::vector<std::string> builtin_multiplier_specs();

}  // namespace axtrain
