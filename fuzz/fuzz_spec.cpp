// Spec strings: multiplier specs (hw/multiplier.h), memory settings and per-layer assignments
// (config/train_config.h), table options (hw/table_file.h). The first byte picks the parser. Each distinct
// multiplier design that parses is tabulated once (its 65,536 products), and its description is formed.
#include "axtrain/config/train_config.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/hw/table_file.h"
#include "fuzz_input.h"

#include <algorithm>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  axtrain::fuzz::expect_success_or_user_error([&] {
    switch (data[0] % 4) {
      case 0: {
        if (text.starts_with("lut:")) return;  // a path: the table reader has its own target
        static std::vector<axtrain::MultiplierDesign> tabulated;
        const axtrain::MultiplierDesign design = axtrain::parse_multiplier_design(text);
        if (std::find(tabulated.begin(), tabulated.end(), design) != tabulated.end()) return;
        tabulated.push_back(design);
        const axtrain::Multiplier m = axtrain::Multiplier::parse(text);
        if (m.design() != design || m.description().empty()) std::abort();
        return;
      }
      case 1: (void)axtrain::parse_memory(text); return;
      case 2:
        if (text.find("lut:") != std::string_view::npos) return;
        (void)axtrain::parse_layer_assignment(text);
        return;
      default: (void)axtrain::format_table_options(axtrain::parse_table_options(text));
    }
  });
  return 0;
}
