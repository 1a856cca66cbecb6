// CSV datasets: a header row of column names, then one sample per line of comma-separated numbers.
// Spaces around fields and '\r' line ends are ignored; blank lines are skipped; quoting is not supported.
#pragma once

#include "axtrain/data/dataset.h"

#include <string>
#include <vector>

namespace axtrain {

// The most classes a classification CSV may have (class ids 0 .. kMaxClasses - 1).
inline constexpr int kMaxClasses = 65536;

// Loads `path`. Features are `feature_columns` in the order given (empty = every column that is not a
// target, in file order); sample_shape is {number of features}. Targets:
//   kRegression     : one or more target columns -> targets n x target_dim (raw values).
//   kClassification : exactly one target column of non-negative integer class ids -> labels,
//                     num_classes = max id + 1.
// Throws axtrain::Error (one line naming the file and, for data errors, line and column) for: an empty
// file, a duplicate header name, an unknown column (the message lists the header), a column used twice,
// a line with the wrong number of fields, a field that is not a finite number or lies outside float's range,
// a class id that is not a non-negative integer, and one of kMaxClasses or more.
Dataset load_csv(const std::string& path, const std::vector<std::string>& feature_columns,
                 const std::vector<std::string>& target_columns, Task task);

// task = auto on a CSV: one target column holding only integers 0 .. kAutoClassLimit - 1 is classification,
// anything else regression. Returns the dataset as that task (a regression one unchanged) and sets `reason`
// to a sentence a log can show: "column 'label' holds only integers 0..9: classification (error = share
// misclassified); set task = regression to fit the values as numbers".
inline constexpr int kAutoClassLimit = 100;
Dataset infer_csv_task(Dataset regression, const std::vector<std::string>& target_columns, std::string& reason);

}  // namespace axtrain
