// Misuse of the command line: each case exits 2 with exactly one line on stderr that names the problem,
// prints nothing on stdout, and leaves no output file behind.
#include "../support/run_cli.h"

#include "axtrain/hw/multiplier.h"
#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace axtrain::test {
namespace {

TEST(CliErrors, BadMultiplierSpecs) {
  expect_user_error("hw show kulkarni:9", "k must be an integer in 0..7");
  expect_user_error("hw show truncated:-1", "t must be an integer in 0..15");
  expect_user_error("hw show drum:0", "1..8");
  expect_user_error("hw show booth", "unknown multiplier 'booth'");
  expect_user_error("hw show tables/m.bin", "write lut:tables/m.bin");
  expect_user_error("hw show lut:", "needs a table file path");
  expect_user_error("hw show lut:/no/such/file.bin", "/no/such/file.bin");
}

TEST(CliErrors, MalformedTableFiles) {
  TempDir dir;
  ASSERT_EQ(run_cli("hw convert K3 " + dir.file("k3.bin")).exit_code, 0);
  ASSERT_EQ(run_cli("hw convert K3 " + dir.file("k3.txt")).exit_code, 0);
  const std::string bin = test::slurp(dir.file("k3.bin"));
  write_file_atomic(dir.file("short.bin"), bin.substr(0, 1000));
  write_file_atomic(dir.file("long.bin"), bin + bin);
  std::string text = test::slurp(dir.file("k3.txt"));
  text.replace(0, 1, "99999");
  write_file_atomic(dir.file("range.txt"), text);
  write_file_atomic(dir.file("garbage.bin"),
                    "\x7f"
                    "ELF no table");
  expect_user_error("hw show lut:" + dir.file("short.bin"), "has 500 entries");
  expect_user_error("hw show lut:" + dir.file("long.bin"), "has 131072 entries");
  expect_user_error("hw show lut:" + dir.file("range.txt"), "entry 99999 is outside 0..65535");
  expect_user_error("hw show lut:" + dir.file("garbage.bin"), "not a whole number of 16-bit entries");
  expect_user_error("hw show lut:" + dir.file("k3.bin") + ",signed=ones", "signed layout 'ones' is unknown");
  expect_user_error("hw show lut:" + dir.file("k3.bin") + ",layout=twos", "table option 'layout' is unknown");
  expect_user_error("hw show lut:" + dir.file("k3.bin") + ",wce=100", "declares wce=100");
}

TEST(CliErrors, BadHistograms) {
  TempDir dir;
  write_file_atomic(dir.file("short.txt"), "1 2 3\n");
  write_file_atomic(dir.file("negative.txt"), "-1" + std::string(255 * 2, ' ').replace(1, 1, "1"));
  std::string ok;
  for (int i = 0; i < 256; ++i) ok += "1 ";
  write_file_atomic(dir.file("ok.txt"), ok);
  expect_user_error("hw show K1 --hist-a " + dir.file("ok.txt"), "give both --hist-a and --hist-b");
  expect_user_error("hw show K1 --hist-a " + dir.file("short.txt") + " --hist-b " + dir.file("ok.txt"),
                    "has 3 entries; it needs 256");
  expect_user_error("hw show K1 --hist-a " + dir.file("ok.txt") + " --hist-b " + dir.file("negative.txt"),
                    "'-1' is not a non-negative number");
  expect_user_error("hw show K1 --hist-a " + dir.file("ok.txt") + " --hist-b " + dir.file("missing.txt"),
                    "missing.txt");
}

TEST(CliErrors, FailedConvertLeavesNoOutput) {
  TempDir dir;
  expect_user_error("hw convert kulkarni:8 " + dir.file("out.bin"), "0..7");
  expect_user_error("hw convert K3 " + dir.file("out.bin") + " --layout twos", "applies to signed tables only");
  expect_user_error("hw convert K3 " + dir.file("out.bin") + " --format csv", "table format 'csv' is unknown");
  expect_user_error("hw convert K3 " + dir.file("no/folder/out.bin"), "cannot write");
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.bin")));
}

TEST(CliErrors, TrainAndEvalMisuse) {
  TempDir dir;
  expect_user_error("train --data_dir " + dir.file("nowhere"), "dataset-fashion-mnist");
  // Corrupt Fashion-MNIST files: right names, garbage content.
  std::filesystem::create_directories(dir.file("corrupt"));
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                           "t10k-labels-idx1-ubyte.gz"})
    write_file_atomic(dir.file("corrupt/") + name, "not gzip at all");
  expect_user_error("train --data_dir " + dir.file("corrupt"), "train-images-idx3-ubyte.gz");
  write_file_atomic(dir.file("bad.toml"), "epochs = 3\nepoch = 4\n");
  expect_user_error("train --config " + dir.file("bad.toml"), "epoch");
  expect_user_error("train --epochs -1", "epochs");
  expect_user_error("train --method magic", "magic");
  expect_user_error("train --eval-hw kulkarni:9", "0..7");
  expect_user_error("train --memory 0.6", "0.6");
  expect_user_error("train --dataset nosuchkernel", "nosuchkernel");
  expect_user_error("eval --model " + dir.file("missing/checkpoint.pt"), "does not exist");
  std::filesystem::create_directories(dir.file("run"));
  write_file_atomic(dir.file("run/checkpoint.pt"), "garbage");
  expect_user_error("eval --model " + dir.file("run/checkpoint.pt"), "config.toml");
  EXPECT_FALSE(std::filesystem::exists("runs")) << "a failed run must not leave a run folder";
}

TEST(CliErrors, DivergenceStopsWithExitTwoNamingTheStepAndTheFix) {
  TempDir dir;
  const std::string run = "train --dataset sobel --kernel_samples 600 --hidden 8 --epochs 3 --optimizer sgd --quiet";
  expect_user_error(run + " --lr 1e6 --out " + dir.file("a"), "diverged: the loss is inf in epoch 1, step");
  expect_user_error(run + " --lr 1e3 --out " + dir.file("b"), "lower lr (now 1000)");
  EXPECT_FALSE(std::filesystem::exists(dir.file("b/metrics.json"))) << "a diverged run is never published";
  EXPECT_TRUE(std::filesystem::exists(dir.file("b/state.pt"))) << "the last finished epoch's state stays";
}

TEST(CliErrors, BadFlagsAndMemoryValues) {
  expect_user_error("", "A subcommand is required");
  expect_user_error("hw frobnicate",
                    "'frobnicate' is not a command of 'axtrain hw'; known: list, show, convert, memory");
  expect_user_error("hw show K3 --jsn", "--jsn");
  expect_user_error("hw show", "spec is required");
  expect_user_error("hw memory", "exactly one of --voltage V or --ber P");
  expect_user_error("hw memory --ber 2", "--ber 2");
  expect_user_error("hw memory --ber 0.1 --voltage 0.7", "exactly one of");
  expect_user_error("hw memory --voltage 0.1", "0.1");
  expect_user_error("hw memory --ber 1e-3 --protect 300", "8-bit mask");
  expect_user_error("hw memory --ber abc", "abc");
}

}  // namespace
}  // namespace axtrain::test
