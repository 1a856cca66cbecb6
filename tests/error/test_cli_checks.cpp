// Checks before work (issue 10): input that would crash a run, exhaust the machine or give a silently wrong
// answer is refused with exit 2 and one line naming both sides, before any training; and what a user expects
// of a run's output (task inference, --init, progress in a log).
#include "../support/run_cli.h"

#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace axtrain::test {
namespace {

// n rows of `columns` features x0.. plus the given target columns (y = x0 + x1, label = row % 3).
std::string csv_rows(int columns, int n, bool with_label, bool two_targets = false) {
  std::string text;
  for (int c = 0; c < columns; ++c) text += "x" + std::to_string(c) + ",";
  text += two_targets ? "y,z" : "y";
  text += with_label ? ",label\n" : "\n";
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < columns; ++c) text += std::to_string((r * (c + 3)) % 17 / 17.0) + ",";
    text += std::to_string((r * 3 % 17 + r * 4 % 17) / 17.0);
    if (two_targets) text += "," + std::to_string(r % 5 / 5.0);
    if (with_label) text += "," + std::to_string(r % 3);
    text += "\n";
  }
  return text;
}

const std::string kQuick = " --hidden 8 --epochs 1 --batch_size 16 --trials 1 --quiet";

TEST(CliChecks, ACheckpointOfAnotherNetworkIsRefusedNamingBothShapes) {
  TempDir dir;
  write_file_atomic(dir.file("three.csv"), csv_rows(3, 60, false));
  write_file_atomic(dir.file("five.csv"), csv_rows(5, 60, false));
  write_file_atomic(dir.file("two_targets.csv"), csv_rows(3, 60, false, true));
  const std::string train3 = "train --dataset csv:" + dir.file("three.csv") + " --csv_targets y" + kQuick;
  ASSERT_EQ(run_cli(train3 + " --out " + dir.file("run3")).exit_code, 0);
  const std::string model = dir.file("run3/checkpoint.pt");
  // eval on a dataset of another width: was SIGABRT in the kernel.
  expect_user_error("eval --model " + model + " --dataset csv:" + dir.file("five.csv") + " --quiet",
                    "its 'fc0.weight' is [8, 3], while the network configured here (mlp (hidden 8) on input 5");
  // eval of a 1-output model on 2 targets: was exit 0 with a meaningless error.
  expect_user_error(
      "eval --model " + model + " --dataset csv:" + dir.file("two_targets.csv") + " --csv_targets y,z --quiet",
      "2 outputs) needs [2, 8]");
  // --init on another width: was a libtorch stack trace.
  expect_user_error("train --dataset csv:" + dir.file("five.csv") + " --csv_targets y --init " + model + kQuick +
                        " --out " + dir.file("init5"),
                    "holds another network");
  EXPECT_FALSE(std::filesystem::exists(dir.file("init5"))) << "refused before a run folder exists";
  // A corrupt or truncated checkpoint is called that, not blamed on the configuration.
  std::filesystem::copy(dir.file("run3"), dir.file("bad"));
  const std::string bytes = slurp(model);
  write_file_atomic(dir.file("bad/checkpoint.pt"), bytes.substr(0, bytes.size() / 2));
  expect_user_error("eval --model " + dir.file("bad/checkpoint.pt") + " --quiet", "is not a readable checkpoint");
  write_file_atomic(dir.file("bad/checkpoint.pt"), std::string("\0\x01garbage\x1b[2J", 12));
  expect_user_error("eval --model " + dir.file("bad/checkpoint.pt") + " --quiet", "the file is corrupt or truncated");
}

TEST(CliChecks, InitTakesTheNetworkOfTheCheckpointsRunUnlessAFlagChangesIt) {
  TempDir dir;
  write_file_atomic(dir.file("data.csv"), csv_rows(3, 60, false));
  const std::string data = "train --dataset csv:" + dir.file("data.csv") + " --csv_targets y --epochs 1 --quiet";
  ASSERT_EQ(run_cli(data + " --hidden 6,5 --out " + dir.file("base")).exit_code, 0);
  const CliResult tuned = run_cli(data + " --init " + dir.file("base/checkpoint.pt") + " --out " + dir.file("tuned"));
  EXPECT_EQ(tuned.exit_code, 0) << tuned.err;
  EXPECT_NE(slurp(dir.file("tuned/config.toml")).find("hidden = [6, 5]"), std::string::npos);
  expect_user_error(data + " --hidden 7 --init " + dir.file("base/checkpoint.pt") + " --out " + dir.file("other"),
                    "needs [7, 3]");
}

TEST(CliChecks, CsvValuesOutsideFloatAndAbsurdClassIdsAreRefusedAtParseTime) {
  TempDir dir;
  write_file_atomic(dir.file("huge.csv"), "x,y\n1,2\n1e39,3\n");
  expect_user_error("train --dataset csv:" + dir.file("huge.csv") + " --csv_targets y" + kQuick,
                    "huge.csv:3: column 'x' holds 1e39, outside the range of a 32-bit float");
  write_file_atomic(dir.file("ids.csv"), "x,label\n1,0\n2,100000000\n");
  expect_user_error(
      "train --dataset csv:" + dir.file("ids.csv") + " --csv_targets label --task classification" + kQuick,
      "ids.csv:3: class id 100000000 in column 'label' would make 100000001 classes, above the limit");
  write_file_atomic(dir.file("control.csv"), "x,y\n1,2\n\x1b[31m,3\n");
  const CliResult r = run_cli("train --dataset csv:" + dir.file("control.csv") + " --csv_targets y" + kQuick);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "control bytes are escaped: " << r.err;
  EXPECT_NE(r.err.find("\\x1b[31m"), std::string::npos) << r.err;
}

TEST(CliChecks, UnboundedWorkIsRefusedBeforeItStarts) {
  TempDir dir;
  expect_user_error("train --dataset sobel --kernel_samples 200 --hidden 100000,100000 --quiet",
                    "more than this machine's");
  expect_user_error("train --threads 1000 --quiet", "threads");
  expect_user_error("reproduce --threads 1000 --quiet", "threads");
  expect_user_error("train --config /dev/zero", "not a regular file");
  std::filesystem::create_directories(dir.file("folder.toml"));
  expect_user_error("train --config " + dir.file("folder.toml"), "is a folder");
  // A gzip bomb: the header declares 10 images of 1x1, the stream inflates to 64 MB.
  std::filesystem::create_directories(dir.file("bomb"));
  std::string raw("\0\0\x08\x03\0\0\0\x0a\0\0\0\x01\0\0\0\x01", 16);
  raw.append(std::size_t{64} << 20, '\0');
  write_file_atomic(dir.file("bomb/train-images-idx3-ubyte"), raw);
  ASSERT_EQ(std::system(("gzip " + dir.file("bomb/train-images-idx3-ubyte")).c_str()), 0);
  EXPECT_LT(std::filesystem::file_size(dir.file("bomb/train-images-idx3-ubyte.gz")), 200000u);
  for (const char* name : {"train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
    std::filesystem::copy_file(dir.file("bomb/train-images-idx3-ubyte.gz"), dir.file("bomb/") + name);
  expect_user_error("train --data_dir " + dir.file("bomb") + kQuick,
                    "inflates to more than the 26 bytes its IDX header declares");
  expect_user_error("train --dataset sobel --kernel_samples 200 --quiet --out /proc/axtrain-run", "/proc/axtrain-run");
}

TEST(CliChecks, TaskAutoSaysWhatItInferredAndATaskThatDoesNotApplyIsRefused) {
  TempDir dir;
  write_file_atomic(dir.file("labels.csv"), csv_rows(3, 90, true));
  const std::string base = "train --dataset csv:" + dir.file("labels.csv") +
                           " --csv_features x0,x1,x2 --hidden 8 "
                           "--epochs 1 --trials 1 --progress plain --json";
  const CliResult classes = run_cli(base + " --csv_targets label --out " + dir.file("c"));
  ASSERT_EQ(classes.exit_code, 0) << classes.err;
  EXPECT_NE(classes.err.find("task = auto: column 'label' holds only integers 0..2: classification into 3 classes"),
            std::string::npos)
      << classes.err;
  EXPECT_EQ(nlohmann::json::parse(classes.out)["task"], "classification");
  const CliResult numbers = run_cli(base + " --csv_targets y --out " + dir.file("r"));
  ASSERT_EQ(numbers.exit_code, 0) << numbers.err;
  EXPECT_NE(numbers.err.find("task = auto: column 'y' holds values other than integers 0..99: regression"),
            std::string::npos)
      << numbers.err;
  EXPECT_EQ(nlohmann::json::parse(numbers.out)["task"], "regression");
  expect_user_error("train --dataset sobel --task classification", "does not apply to dataset 'sobel'");
  expect_user_error("train --task regression", "does not apply to dataset 'fashion-mnist'");
}

TEST(CliChecks, PlainProgressGivesEveryEpochWithAnEtaAndNoEscapeCodes) {
  TempDir dir;
  const CliResult r = run_cli(
      "train --dataset sobel --kernel_samples 300 --hidden 8 --epochs 3 --trials 1 "
      "--progress plain --out " +
      dir.file("run"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  for (const char* epoch : {"epoch 1/3: loss", "epoch 2/3: loss", "epoch 3/3: loss"})
    EXPECT_NE(r.err.find(epoch), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ETA"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("test error: exact"), std::string::npos) << r.err;
  const CliResult terminal = run_cli(
      "train --dataset sobel --kernel_samples 300 --hidden 8 --epochs 1 --trials 1 "
      "--progress terminal --out " +
      dir.file("run2"));
  EXPECT_NE(terminal.err.find("\r\x1b[K"), std::string::npos) << "terminal form when asked, even into a file";
  expect_user_error("train --progress fancy", "--progress fancy is not a progress style");
}

TEST(CliChecks, QuotedTokensAreEscapedAndShortened) {
  TempDir dir;
  write_file_atomic(dir.file("nul.txt"), std::string("1 2\0 3\n", 7));
  expect_user_error("hw show lut:" + dir.file("nul.txt"), "'2\\x00' is not an integer");
  write_file_atomic(dir.file("esc.txt"), "1 \x1b[31mred\n");
  expect_user_error("hw show lut:" + dir.file("esc.txt"), "'\\x1b[31mred' is not an integer");
  write_file_atomic(dir.file("curve.csv"), "voltage,ber\n0.5,1e-3\n0.6," + std::string(500, '7') + "x\n");
  const CliResult r = run_cli("hw memory --voltage 0.6 --curve " + dir.file("curve.csv"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_LT(r.err.size(), 400u) << "a 501-character token is shortened: " << r.err;
  EXPECT_NE(r.err.find("777..."), std::string::npos) << r.err;
  expect_user_error("train --memory \"$(printf '0.6\\007V')\"", "memory '0.6\\x07V'");
  // Numbers that pass a bound only by being absurd name the rule they break, in a few digits.
  expect_user_error("hw memory --voltage 1e308",
                    "--voltage 1e+308 is not an SRAM supply voltage; give volts in (0, 2]");
  expect_user_error("train --memory 1e308V", "supply voltage must be a number of volts in (0, 2]");
  expect_user_error("train --lr 1e400", "lr = inf is invalid: must be a finite number, > 0");
}

TEST(CliChecks, ARunFoldersDataPathsResolveTheSameFromAnyDirectory) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("project"));
  std::filesystem::create_directories(dir.file("elsewhere"));
  write_file_atomic(dir.file("project/data.csv"), csv_rows(3, 60, false));
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(dir.file("project"));
  const CliResult trained = run_cli("train --dataset csv:data.csv --csv_targets y --out run" + kQuick);
  std::filesystem::current_path(dir.file("elsewhere"));
  const CliResult evaluated = run_cli("eval --model ../project/run/checkpoint.pt --quiet");
  std::filesystem::current_path(before);
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_NE(slurp(dir.file("project/run/config.toml")).find("csv:" + dir.file("project/data.csv")), std::string::npos);
}

}  // namespace
}  // namespace axtrain::test
