// Fingerprints of what determines a sweep's trained models and result rows (`axtrain explore`, `reproduce`):
// 16 hex digits each (util/text.h fingerprint), equal when the settings that produce the model or the row are
// equal, the bytes of the files they read included (a CSV dataset, lut: tables, BER curves). A rerun reuses a
// stored model or row only when its fingerprint matches.
#pragma once

#include "axtrain/config/train_config.h"

#include <string>
#include <string_view>

namespace axtrain {

// What trains a model: every key config_fingerprint covers except those only evaluation and the sweep read
// ([hardware.eval], trials, bias_compensation, the sweep lists and sweep_train, finetune_epochs, budget,
// [energy]), the files that `config.hardware_train` and a csv: dataset read, and in place of `init` (a path)
// `init_fingerprint`, the fingerprint of the model training starts from ("" for none), so that moving a run
// folder changes nothing.
std::string training_fingerprint(const TrainConfig& config, std::string_view init_fingerprint);

// What evaluating a trained model on one hardware adds: every key of `hardware` and the files it reads, the
// per-layer assignment `layers` ("" for none) and the tables its lut: multipliers read, trials, batch_size and
// bias_compensation.
std::string evaluation_text(const TrainConfig& config, const HardwareConfig& hardware, std::string_view layers);

}  // namespace axtrain
