// The report of `axtrain reproduce` (report.md, report.html and its plots): the paper's table with the
// absolute errors and energies beside the reductions, a verdict formatted from the rows, the bias-compensated
// comparator, error vs energy and error vs voltage with Monte Carlo error bars, the sensitivity histograms and
// the training curves (fine-tuning continuing the baseline's epochs).
#pragma once

#include "axtrain/report/report.h"
#include "axtrain/report/svg_histogram.h"
#include "axtrain/runs/reproduce.h"
#include "axtrain/train/history.h"

#include <string>
#include <utility>
#include <vector>

namespace axtrain {

// What reproduce measured beyond its rows, for the figures.
struct ReproduceFigures {
  std::string dataset;                      // the figures' dataset, e.g. "fashion-mnist"
  std::string hardware;                     // the multiplier of the histograms and the curves, e.g. "K3"
  std::vector<HistogramGroup> sensitivity;  // per-weight sensitivity on `hardware`: baseline, act
  TrainHistory baseline;                    // the baseline's training
  std::vector<std::pair<std::string, TrainHistory>> finetuning;  // (method, its fine-tuning for `hardware`)
};

std::vector<ReportSection> reproduce_report(const ReproduceResult& result, const ReproduceFigures& figures);

// The opening sentences: each method's error reduction on the figures' dataset against the paper's and against
// the bias-compensated baseline, and which model is the most accurate at each multiplier and each voltage.
std::string reproduce_verdict(const ReproduceResult& result, const std::string& dataset);

}  // namespace axtrain
