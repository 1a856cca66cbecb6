#include "axtrain/data/data_source.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

namespace axtrain {

DataSource parse_data_source(const std::string& text) {
  DataSource s;
  if (text.starts_with("csv:") || text.starts_with("npz:")) {
    s.kind = text.starts_with("csv:") ? SourceKind::kCsv : SourceKind::kNpz;
    AXT_CHECK(text.size() > 4, "dataset '{}' needs a file path, e.g. {}data/train.{}", text, text.substr(0, 4),
              text.substr(0, 3));
    s.paths = {text.substr(4)};
  } else if (text.starts_with("npy:")) {
    s.kind = SourceKind::kNpy;
    const std::size_t comma = text.find(',', 4);
    AXT_CHECK(comma != std::string::npos && comma > 4 && comma + 1 < text.size() &&
                  text.find(',', comma + 1) == std::string::npos,
              "dataset '{}' needs two .npy files, features then targets: npy:x.npy,y.npy", printable(text));
    s.paths = {text.substr(4, comma - 4), text.substr(comma + 1)};
  } else {
    s.name = text;
  }
  return s;
}

std::string data_source_text(const DataSource& source) {
  switch (source.kind) {
    case SourceKind::kBuiltin: return source.name;
    case SourceKind::kCsv: return "csv:" + source.paths.at(0);
    case SourceKind::kNpz: return "npz:" + source.paths.at(0);
    case SourceKind::kNpy: return fmt::format("npy:{},{}", source.paths.at(0), source.paths.at(1));
  }
  return source.name;
}

}  // namespace axtrain
