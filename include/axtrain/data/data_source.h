// Where a dataset comes from (the config keys dataset and test_dataset): a built-in name or files.
//   "fashion-mnist", "sobel", ...   built in (the config layer knows the names)
//   "csv:PATH"                      a CSV file with a header row (csv_dataset.h)
//   "npz:PATH"                      a NumPy archive (numpy.savez) holding a features and a targets array
//   "npy:FEATURES,TARGETS"          two NumPy arrays (numpy.save), features then targets
#pragma once

#include <string>
#include <vector>

namespace axtrain {

enum class SourceKind { kBuiltin, kCsv, kNpz, kNpy };

struct DataSource {
  SourceKind kind = SourceKind::kBuiltin;
  std::string name;                // kBuiltin: the dataset's name
  std::vector<std::string> paths;  // files: one for csv and npz, two for npy
};

// Parses a source text. Throws axtrain::Error naming the value, the forms and an example when a file form
// lacks its path(s).
DataSource parse_data_source(const std::string& text);

// The text that parse_data_source reads back as `source`.
std::string data_source_text(const DataSource& source);

}  // namespace axtrain
