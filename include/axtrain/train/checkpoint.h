// A model's weights and buffers as bytes or a checkpoint file (libtorch's archive format).
#pragma once

#include "axtrain/train/models.h"

#include <string>

namespace axtrain {

// The model's parameters and buffers as bytes.
std::string serialize_model(ApproxNet& net);
// Loads bytes written by serialize_model into a model of the same spec. Throws axtrain::Error naming `origin`
// when they do not fit the model.
void deserialize_model(ApproxNet& net, const std::string& bytes, const std::string& origin);

// The same through a file (written atomically). Throws axtrain::Error for an unreadable or mismatched file.
void save_checkpoint(ApproxNet& net, const std::string& path);
void load_checkpoint(ApproxNet& net, const std::string& path);

}  // namespace axtrain
