// Low-rank structure of a multiplier's error table E(a, b) = f(a, b) - a*b.
//
// Many approximate multipliers have an error table of small exact rank r (Kulkarni's family: r <= 3;
// truncation: r <= 8). Then f(a, b) = a*b + sum_{t<r} u_t(a) v_t(b) with 256-entry factor tables, and an
// approximate GEMM becomes an exact GEMM plus r small GEMMs. Because E is an integer matrix, an integer
// factorisation with exactly rank(E) terms always exists (its rows generate a free Z-module of that rank);
// this module finds one whenever the integers stay within 128-bit arithmetic, and otherwise falls back to
// a real-valued truncated SVD with the residual reported.
#pragma once

#include "axtrain/hw/product_table.h"

#include <vector>

namespace axtrain {

// The exact rank of E over the rationals. Certified by an exact integer factorisation when one is found
// (see decompose_error); otherwise the largest rank of E modulo two primes (2^61 - 1 and 998244353),
// which is a lower bound and equals the rank unless both primes divide every maximal minor of E.
int error_table_rank(const ProductTable& table);

struct ErrorDecomposition {
  int rank = 0;                 // exact rank of E (as error_table_rank)
  int terms = 0;                // number of factor pairs used
  bool integer = false;         // true: u, v hold integers and E == u v^T exactly
  std::vector<double> u;        // 256 x terms, row-major: u[index * terms + t] (first operand index)
  std::vector<double> v;        // 256 x terms, row-major: v[index * terms + t] (second operand index)
  double max_abs_residual = 0;  // max over all pairs of |E - sum_t u_t v_t|; 0 when integer
  double rms_residual = 0;      // root mean square of the same residual

  // sum_t u_t(ia) v_t(ib): the decomposition's value of E at operand indices (ia, ib).
  double value_at(int ia, int ib) const;
};

// Decomposes E with at most max_terms factor pairs. Integer and exact when rank(E) <= max_terms and the
// integer factorisation fits 128-bit arithmetic with factors below 2^53 (so doubles hold them exactly);
// otherwise the best real-valued approximation with min(rank, max_terms) terms (truncated SVD).
ErrorDecomposition decompose_error(const ProductTable& table, int max_terms = 16);

}  // namespace axtrain
