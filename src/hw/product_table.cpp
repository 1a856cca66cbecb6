#include "axtrain/hw/product_table.h"

#include "axtrain/util/check.h"

namespace axtrain {

ProductTable::ProductTable(bool is_signed, std::vector<std::int32_t> products)
    : signed_(is_signed), products_(std::move(products)) {
  AXT_ASSERT(products_.size() == static_cast<std::size_t>(kSize * kSize));
}

}  // namespace axtrain
