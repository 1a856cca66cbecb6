// PyTorch models in and out (docs/networks.md): `network = "torchscript:model.pt"` reads a module saved by
// torch.jit.script(model).save(...) (or torch.jit.trace) as a layer list, by walking its inlined forward
// graph, and its parameters as the model's starting weights; after training, the same TorchScript module
// with the trained weights is written back, so that the user continues in PyTorch with their own operators.
#pragma once

#include "axtrain/net/layer_graph.h"
#include "axtrain/train/models.h"

#include <map>
#include <string>
#include <vector>

namespace axtrain {

struct TorchScriptNetwork {
  std::vector<LayerSpec> layers;               // each conv, linear and bn named after its module ('.' as '_')
  std::map<std::string, std::string> modules;  // layer name -> the module's path in the file ("layer1.0.conv1")
};

// The forward graph of the module in `path` as layers: aten::conv2d, linear, batch_norm, relu, hardtanh(0, 6),
// tanh, sigmoid, max_pool2d, avg_pool2d, adaptive_avg_pool2d to 1 x 1, flatten, dropout, and the add of two
// branches (a residual block). Throws axtrain::Error with one line for a file that is not TorchScript, and for
// an operator or argument outside these, naming it and the fix.
TorchScriptNetwork read_torchscript_network(const std::string& path);

// Copies the weights, biases and batch statistics of the module in `path` into `net` (built from the layers
// read_torchscript_network gave).
void load_torchscript_weights(ApproxNet& net, const std::string& path);

// Writes the module in `source` with net's parameters and batch statistics to `out` (atomically), as
// TorchScript that PyTorch loads with torch.jit.load.
void export_torchscript(const ApproxNet& net, const std::string& source, const std::string& out);

}  // namespace axtrain
