// CSV datasets: a header row of column names, then one sample per line of comma-separated numbers.
// Spaces around fields and '\r' line ends are ignored; blank lines are skipped; quoting is not supported.
#pragma once

#include "axtrain/data/dataset.h"

#include <string>
#include <vector>

namespace axtrain {

// Loads `path`. Features are `feature_columns` in the order given (empty = every column that is not a
// target, in file order); sample_shape is {number of features}. Targets:
//   kRegression     : one or more target columns -> targets n x target_dim (raw values).
//   kClassification : exactly one target column of non-negative integer class ids -> labels,
//                     num_classes = max id + 1.
// Throws axtrain::Error (one line naming the file and, for data errors, line and column) for: an empty
// file, a duplicate header name, an unknown column (the message lists the header), a column used twice,
// a line with the wrong number of fields, a field that is not a finite number, and a class id that is not
// a non-negative integer.
Dataset load_csv(const std::string& path, const std::vector<std::string>& feature_columns,
                 const std::vector<std::string>& target_columns, Task task);

}  // namespace axtrain
