#include "axtrain/train/history.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <charconv>

namespace axtrain {
namespace {

constexpr std::string_view kHeader = "epoch,loss,regulariser,train_error,validation_error,lr,seconds";

double number(std::string_view text, const std::string& origin, int line) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  AXT_CHECK(!text.empty() && ec == std::errc() && end == text.data() + text.size(),
            "{}:{}: '{}' is not a number; history.csv holds numbers only (delete the file to retrain)", origin, line,
            text);
  return value;
}

}  // namespace

std::string history_csv(const TrainHistory& h) {
  std::string csv = std::string(kHeader) + "\n";
  for (const EpochStats& e : h.epochs)
    csv += fmt::format("{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.4f}\n", e.epoch, e.loss, e.regulariser, e.train_error,
                       e.validation_error, e.lr, e.seconds);
  return csv;
}

TrainHistory parse_history_csv(const std::string& text, const std::string& origin) {
  const std::vector<TextLine> lines = split_lines(text);
  AXT_CHECK(!lines.empty() && trim(lines[0].text) == kHeader,
            "{}:1: not a history.csv (its header must be {}); delete the file to retrain", origin, kHeader);
  TrainHistory history;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = trim(lines[i].text);
    if (line.empty()) continue;
    double v[7];
    std::size_t start = 0;
    for (int k = 0; k < 7; ++k) {
      const std::size_t comma = line.find(',', start);
      AXT_CHECK((comma == std::string_view::npos) == (k == 6),
                "{}:{}: a history line has 7 comma-separated numbers; delete the file to retrain", origin,
                lines[i].number);
      v[k] = number(line.substr(start, comma - start), origin, lines[i].number);
      start = comma + 1;
    }
    history.epochs.push_back({.epoch = static_cast<int>(v[0]),
                              .loss = v[1],
                              .regulariser = v[2],
                              .train_error = v[3],
                              .validation_error = v[4],
                              .lr = v[5],
                              .seconds = v[6]});
  }
  if (!history.epochs.empty()) history.best_epoch = history.epochs.back().epoch;
  return history;
}

}  // namespace axtrain
