// Spec strings: multiplier specs (hw/multiplier.h), memory settings and per-layer assignments
// (config/train_config.h), table options (hw/table_file.h). The first byte picks the parser. A multiplier
// spec that parses must print back as a spec that parses to the same spec.
#include "axtrain/config/train_config.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/hw/table_file.h"
#include "fuzz_input.h"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  axtrain::fuzz::expect_success_or_user_error([&] {
    switch (data[0] % 4) {
      case 0: {
        if (text.starts_with("lut:")) return;  // a path: the table reader has its own target
        const axtrain::Multiplier m = axtrain::Multiplier::parse(text);
        if (axtrain::Multiplier::parse(m.spec()).spec() != m.spec()) std::abort();
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
