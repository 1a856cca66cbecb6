// The adaptor against gemm_reference, bit for bit: every path this CPU runs, with B stored either way.
#include "axtrain/kernels/approx_gemm.h"

#include "../support/kernel_cases.h"

#include <gtest/gtest.h>

namespace axtrain {
namespace {

std::vector<Multiplier> designs() {
  return {
      Multiplier::parse("K3"), Multiplier::parse("mitchell"),
      test::table_multiplier("adaptor_signed", SignedLayout::kTwos, [](int a, int b) { return a * b + (a ^ b) % 7; })};
}

TEST(ApproxGemm, EveryPathAndBothLayoutsOfBEqualTheReference) {
  for (const Multiplier& f : designs()) {
    const ApproxGemm gemm(f);
    std::uint64_t seed = 1;
    for (const test::GemmCase& c : test::edge_cases(f.is_signed())) {
      const test::GemmOperands o = test::operands(c, ++seed);
      const std::vector<std::int32_t> expected = test::reference_result(f, c, o);
      const test::TransposedB t = test::transposed_b(c, o);
      for (GemmPath path : {GemmPath::kDecomposed, GemmPath::kTableVbmi, GemmPath::kTableAvx2, GemmPath::kGather}) {
        if (!gemm.supports(path, c.k, c.za, c.zb)) continue;
        SCOPED_TRACE(f.spec() + " " + std::string(gemm_path_name(path)) + " m=" + std::to_string(c.m) +
                     " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k));
        std::vector<std::int32_t> out(expected.size(), test::kUntouched), out_t = out;
        gemm.run(path, c.m, c.n, c.k, o.a.data(), o.lda, c.za, o.b.data(), o.ldb, c.zb, out.data(), o.ldc);
        gemm.run(path, c.m, c.n, c.k, o.a.data(), o.lda, c.za, t.b.data(), t.ldb, c.zb, out_t.data(), o.ldc,
                 BLayout::kNByK);
        ASSERT_EQ(out, expected);
        ASSERT_EQ(out_t, expected);
      }
    }
  }
}

TEST(ApproxGemm, ChoosesDecomposedForKulkarniAndATablePathForMitchell) {
  EXPECT_EQ(ApproxGemm(Multiplier::parse("K3")).choose(784, 0, 0), GemmPath::kDecomposed);
  EXPECT_NE(ApproxGemm(Multiplier::parse("mitchell")).choose(784, 0, 0), GemmPath::kDecomposed);
}

}  // namespace
}  // namespace axtrain
