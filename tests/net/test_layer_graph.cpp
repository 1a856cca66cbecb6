#include "axtrain/net/layer_graph.h"
#include "axtrain/net/network_spec.h"

#include "../support/expect_error.h"

#include <gtest/gtest.h>

namespace axtrain {
namespace {

using Shape = std::vector<int64_t>;

TEST(LayerText, ParsesEveryKindWithPositionalAndNamedArguments) {
  const auto layers = parse_layers(
      "conv(16, 3, stride=2, pad=1, bias=false) bn relu6 maxpool(3, stride=2, pad=1) avgpool(2) conv2d(8,1,groups=8) "
      "gap tanh sigmoid dropout(0.25) linear(7) relu flatten linear(bias=false) residual(linear(4) relu)");
  ASSERT_EQ(layers.size(), 15U);
  EXPECT_EQ(layers[0].kind, LayerKind::kConv2d);
  EXPECT_EQ(layers[0].out, 16);
  EXPECT_EQ(layers[0].kernel, 3);
  EXPECT_EQ(layers[0].stride, 2);
  EXPECT_EQ(layers[0].padding, 1);
  EXPECT_FALSE(layers[0].bias);
  EXPECT_EQ(layers[1].kind, LayerKind::kBatchNorm);
  EXPECT_EQ(layers[2].kind, LayerKind::kRelu6);
  EXPECT_EQ(layers[3].kind, LayerKind::kMaxPool);
  EXPECT_EQ(layers[3].stride, 2);
  EXPECT_EQ(layers[3].padding, 1);
  EXPECT_EQ(layers[4].stride, 2) << "a pool's stride defaults to its kernel";
  EXPECT_EQ(layers[5].groups, 8);
  EXPECT_EQ(layers[5].stride, 1) << "a conv's stride defaults to 1";
  EXPECT_EQ(layers[6].kind, LayerKind::kGlobalAvgPool);
  EXPECT_EQ(layers[9].p, 0.25);
  EXPECT_EQ(layers[10].out, 7);
  EXPECT_EQ(layers[13].out, 0) << "linear without a size is sized by the dataset";
  EXPECT_FALSE(layers[13].bias);
  ASSERT_EQ(layers[14].body.size(), 2U);
  EXPECT_EQ(layers[14].body[0].out, 4);
  // The text form is what parses back to the same layers.
  EXPECT_EQ(parse_layers(layers_text(layers)), layers);
  EXPECT_EQ(layers_text(parse_layers("conv(16,3,s=1,p=1) maxpool(2,stride=2)")), "conv(16,3,pad=1) maxpool(2)");
}

TEST(LayerText, AMalformedLayerIsOneLineNamingItAndTheFix) {
  using test::expect_error;
  expect_error([] { parse_layers("conv(16,3) relu softmax"); },
               {"unknown layer 'softmax'", "character 17", "known layers: conv(out, kernel)"});
  expect_error([] { parse_layers("conv(16)"); }, {"'conv(16)'", "out channels and kernel size", "conv(16, 3, pad=1)"});
  expect_error([] { parse_layers("conv(16,3,dilation=2)"); }, {"unknown argument 'dilation'", "stride, pad, groups"});
  expect_error([] { parse_layers("conv(16,3,4)"); }, {"takes 2 positional arguments, got 3"});
  expect_error([] { parse_layers("conv(out=16,3)"); }, "positional argument after a key=value");
  expect_error([] { parse_layers("conv(-4,3)"); }, "out=-4 is not a whole number from 1");
  expect_error([] { parse_layers("conv(16,3,pad=x)"); }, "pad=x");
  expect_error([] { parse_layers("linear(10,bias=maybe)"); }, {"bias=maybe", "true or false"});
  expect_error([] { parse_layers("dropout(1.5)"); }, {"dropout probability '1.5'", "[0, 1)"});
  expect_error([] { parse_layers("relu(2)"); }, {"relu takes no arguments", "write relu alone"});
  expect_error([] { parse_layers("linear(10"); }, "'(' without its ')'");
  expect_error([] { parse_layers("linear(10))"); }, "')' without its '('");
  expect_error([] { parse_layers("res()"); }, "empty body");
  expect_error([] { parse_layers("res"); }, "body in parentheses");
  expect_error([] { parse_layers("  "); }, "no layers");
  expect_error([] { parse_layers("linear(maxpool(2))"); }, "only res(...) nests");
}

TEST(LayerPlan, InfersShapesParametersAndMacsLayerByLayer) {
  const auto plan = plan_layers(
      parse_layers("conv(8,3,stride=2,pad=1) bn relu maxpool(2) flatten linear(5) relu linear"), {3, 28, 28}, 4);
  ASSERT_EQ(plan.size(), 8U);
  EXPECT_EQ(plan[0].out, (Shape{8, 14, 14}));  // (28 + 2 - 3) / 2 + 1
  EXPECT_EQ(plan[0].parameters, 8 * 3 * 9 + 8);
  EXPECT_EQ(plan[0].macs, 8 * 14 * 14 * 3 * 9);
  EXPECT_EQ(plan[0].spec.name, "conv1");
  EXPECT_EQ(plan[1].parameters, 16);
  EXPECT_EQ(plan[1].spec.name, "bn1");
  EXPECT_EQ(plan[3].out, (Shape{8, 7, 7}));
  EXPECT_EQ(plan[4].out, (Shape{392}));
  EXPECT_EQ(plan[5].macs, 392 * 5);
  EXPECT_EQ(plan[5].spec.name, "fc1");
  EXPECT_EQ(plan[7].out, (Shape{4})) << "the last linear takes the dataset's outputs";
  EXPECT_EQ(plan[7].spec.name, "fc2");
  EXPECT_EQ(approximate_layers_of(plan).size(), 3U);
}

TEST(LayerPlan, GroupsDivideTheWeightsAndMacsAndADepthwiseConvHasOneFilterPerChannel) {
  const auto plan =
      plan_layers(parse_layers("conv(8,3,pad=1,groups=4,bias=false) conv(8,3,groups=8) gap linear"), {8, 6, 6}, 2);
  EXPECT_EQ(plan[0].parameters, 8 * 2 * 9);
  EXPECT_EQ(plan[0].macs, 8 * 6 * 6 * 2 * 9);
  EXPECT_EQ(plan[1].parameters, 8 * 9 + 8);
  EXPECT_EQ(plan[1].out, (Shape{8, 4, 4}));
  EXPECT_EQ(plan[2].out, (Shape{8}));
}

TEST(LayerPlan, AResidualBlockAddsAProjectionOnlyWhereItsBodyChangesTheShape) {
  const auto plan = plan_layers(
      parse_layers("res(conv(4,3,pad=1) bn relu conv(4,3,pad=1) bn) res(conv(8,3,stride=2,pad=1) relu) gap linear"),
      {4, 7, 7}, 3);
  EXPECT_TRUE(plan[0].shortcut.empty()) << "same shape: identity";
  EXPECT_EQ(plan[0].out, (Shape{4, 7, 7}));
  EXPECT_EQ(plan[0].parameters, 2 * (4 * 4 * 9 + 4) + 2 * 8);
  ASSERT_EQ(plan[1].shortcut.size(), 1U);
  const PlannedLayer& projection = plan[1].shortcut[0];
  EXPECT_EQ(projection.spec.kernel, 1);
  EXPECT_EQ(projection.spec.stride, 2);
  EXPECT_EQ(projection.out, (Shape{8, 4, 4}));
  EXPECT_EQ(plan[1].macs, 8 * 16 * 4 * 9 + 8 * 16 * 4);
  // Forward order of the approximate layers: each body, then its shortcut.
  const auto approx = approximate_layers_of(plan);
  ASSERT_EQ(approx.size(), 5U);
  EXPECT_EQ(approx[2]->spec.name, "conv3");
  EXPECT_EQ(approx[3], &projection);
  EXPECT_EQ(approx[4]->spec.name, "fc1");
}

TEST(LayerPlan, AResidualBlockTakesAnExplicitShortcutAndLayersTakeNames) {
  const auto layers = parse_layers(
      "res(conv(8,3,stride=2,pad=1,name=c1) bn(name=b1) | conv(8,1,stride=2,bias=false) bn) "
      "flatten linear(name=head)");
  EXPECT_EQ(parse_layers(layers_text(layers)), layers);
  EXPECT_EQ(layers[0].body[0].name, "c1");
  EXPECT_EQ(layers[0].shortcut.size(), 2U);
  const auto plan = plan_layers(layers, {4, 6, 6}, 3);
  ASSERT_EQ(plan[0].shortcut.size(), 2U);
  EXPECT_EQ(plan[0].shortcut[1].spec.name, "bn1") << "b1 is given";
  EXPECT_EQ(plan[0].parameters, (8 * 4 * 9 + 8) + 16 + 8 * 4 + 16);
  const auto approx = approximate_layers_of(plan);
  ASSERT_EQ(approx.size(), 3U);
  EXPECT_EQ(approx[0]->spec.name, "c1");
  EXPECT_EQ(approx[1]->spec.name, "conv1");
  EXPECT_EQ(approx[2]->spec.name, "head");
  test::expect_error(
      [&] {
        plan_layers(parse_layers("res(conv(8,3,pad=1) | conv(8,1,stride=2)) flatten linear"), {4, 6, 6}, 3);
      },
      "its body gives 8x6x6 but its shortcut 8x3x3");
  test::expect_error([] { parse_layers("conv(8,3,name=a.b)"); }, "name=a.b");
  EXPECT_EQ(plan_layers(parse_layers("conv(4,3,name=conv1) conv(4,1) flatten linear"), {1, 5, 5}, 2)[1].spec.name,
            "conv2")
      << "an automatic name skips the names given";
  test::expect_error(
      [] {
        plan_layers(parse_layers("conv(4,3,name=x) bn(name=x) flatten linear"), {1, 5, 5}, 2);
      },
      "name 'x' is given to two layers");
  test::expect_error([] { parse_layers("relu | relu"); }, "'|' outside res(...)");
}

TEST(LayerPlan, AShapeProblemNamesTheLayerItsInputAndTheFix) {
  using test::expect_error;
  const auto plan = [](const std::string& text, Shape in, int64_t outputs = 10) {
    plan_layers(parse_layers(text), in, outputs);
  };
  expect_error([&] { plan("conv(8,3) linear", {784}); },
               {"layer 1 'conv(8,3)' gets input 784", "needs a C x H x W input"});
  expect_error(
      [&] {
        plan("conv(8,3) linear", {1, 28, 28});
      },
      {"layer 2 'linear'", "8x26x26", "put flatten before it (it makes 5408 values)"});
  expect_error([&] { plan("conv(8,30) flatten linear", {1, 28, 28}); }, "larger than the padded input");
  expect_error(
      [&] {
        plan("conv(6,3,groups=4) flatten linear", {8, 5, 5});
      },
      "groups=4 must divide the 8 input and 6 output");
  expect_error([&] { plan("relu bn flatten linear", {1, 4, 4}); }, {"layer 2 'bn'", "must follow a conv or linear"});
  expect_error(
      [&] {
        plan("flatten linear(5)", {1, 4, 4});
      },
      {"ends in 5 ('linear(5)')", "dataset has 10 outputs", "linear(10)"});
  expect_error([&] { plan("maxpool(5) flatten linear", {1, 4, 4}); }, "window is larger than the input");
  expect_error(
      [&] {
        plan("res(conv(4,3,pad=1) flatten) linear", {1, 4, 4});
      },
      {"layer 1 'res(conv(4,3,pad=1) flatten)'", "keep images images"});
  expect_error(
      [&] {
        plan("res(conv(4,5)) flatten linear", {4, 9, 5});
      },
      "no 1x1 convolution with one stride maps 4x9x5 to 4x5x1");
  expect_error([&] { plan("res(conv(4,3) relu linear) linear", {4, 9, 9}); }, "layer 1.3 'linear'");
  expect_error([&] { plan("linear", {}); }, "empty input shape");
}

TEST(NetworkPresets, AreLayerListsAndLenetAndMlpKeepTheirFormerNamesAndShapes) {
  const NetworkSpec mlp{.network = "mlp", .input_shape = {1, 28, 28}, .hidden = {32, 16}, .outputs = 10};
  const auto mlp_plan = network_plan(mlp);
  const auto mlp_layers = approximate_layers_of(mlp_plan);
  ASSERT_EQ(mlp_layers.size(), 3U);
  EXPECT_EQ(mlp_layers[0]->spec.name, "fc0");
  EXPECT_EQ(mlp_layers[2]->spec.name, "fc2");
  EXPECT_EQ(mlp_layers[0]->in, (Shape{784}));
  const NetworkSpec lenet{
      .network = "lenet", .input_shape = {1, 28, 28}, .outputs = 10, .activation = Activation::kTanh};
  EXPECT_EQ(
      layers_text(network_layers(lenet)),
      "conv(6,5,pad=2) tanh maxpool(2) conv(16,5) tanh maxpool(2) flatten linear(120) tanh linear(84) tanh linear");
  NetworkSpec resnet{.network = "resnet8", .input_shape = {1, 28, 28}, .outputs = 10};
  const auto resnet_plan = network_plan(resnet);
  const auto resnet_layers = approximate_layers_of(resnet_plan);
  EXPECT_EQ(resnet_layers.size(), 10U) << "8 weight layers and 2 projections";
  EXPECT_EQ(resnet_plan.back().in, (Shape{64}));
  const NetworkSpec vgg{.network = "vgg8", .input_shape = {3, 32, 32}, .outputs = 10};
  const auto vgg_layers = approximate_layers(vgg);
  ASSERT_EQ(vgg_layers.size(), 8U);
  EXPECT_EQ(vgg_layers[6].in, 128 * 4 * 4);
  test::expect_error(
      [] {
        network_plan({.network = "vgg8", .input_shape = {1, 4, 4}, .outputs = 10});
      },
      {"preset network vgg8", "window is larger than the input"});
  test::expect_error([] { check_network_text("resnet18"); },
                     {"unknown network 'resnet18'", "did you mean \"resnet8\""});
  EXPECT_NO_THROW(check_network_text("linear")) << "one layer is a network too";
}

TEST(NetworkPresets, TheSummaryListsEveryLayerWithTotals) {
  const NetworkSpec resnet{.network = "resnet8", .input_shape = {1, 28, 28}, .outputs = 10};
  const std::string text = plan_summary(network_plan(resnet), resnet.input_shape);
  for (const std::string part : {"conv(16,3,pad=1,bias=false)", "+ shortcut", "conv(32,1,stride=2)", "+ x", "64x7x7",
                                 "gap", "10 approximate layers", "MACs per sample"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
}

}  // namespace
}  // namespace axtrain
