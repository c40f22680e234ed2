// Parallel and resumable dataset generation through the command line, as a
// user runs it: threads vs MPI ranks vs Slurm-style shards, kill -9 and
// resume, merge, verify, plot, and h5py reading every dataset.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "test_support.hpp"

namespace fs = std::filesystem;
using neurotwin::test::run_command;
using neurotwin::test::run_python;
using neurotwin::test::TempDir;

namespace {

std::string nt(const std::string& args) { return std::string(NEUROTWIN_BINARY) + " " + args; }

// 1-s simulations, odd split sizes so that shards are uneven (one is empty).
const char* kSmall =
    " --set simulation.duration_ms=1000 --set training.ignore_first_ms=100 --set training.window_ms=200"
    " --set dataset.train_simulations=5 --set dataset.valid_simulations=2 --set dataset.test_simulations=1";

std::string compare(const std::string& a, const std::string& b) {
  const auto r = run_python(std::string(NEUROTWIN_TESTS_DIR) + "/python/compare_datasets.py " + a + " " + b);
  return r.status == 0 ? "" : r.output;
}

// Moves <out>/data aside so that the same command (same configuration, same
// output directory) can run again from scratch.
void move_data(const fs::path& out, const std::string& name) { fs::rename(out / "data", out / name); }

bool have_mpirun() { return run_command("command -v mpirun").status == 0; }

std::string mpirun() {
  // Root (CI containers) needs OpenMPI's explicit consent.
  std::string env = getuid() == 0 ? "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " : "";
  return env + "mpirun --oversubscribe -np 2 ";
}

}  // namespace

TEST_CASE("threads, MPI ranks and shards write the same dataset", "[python]") {
  TempDir dir("parallel");
  const fs::path out = dir.file("out");
  const std::string common = std::string("simulate -o ") + out.string() + kSmall;
  const auto one = run_command(nt(common + " --set simulation.store_dendritic_voltages=true --jobs 1"));
  INFO(one.output);
  REQUIRE(one.status == 0);
  move_data(out, "one_thread");
  const auto two = run_command(nt(common + " --set simulation.store_dendritic_voltages=true --jobs 2"));
  INFO(two.output);
  REQUIRE(two.status == 0);
  for (const char* split : {"train", "valid", "test"}) {
    const std::string f = std::string(split) + ".h5";
    CHECK(compare((out / "one_thread" / f).string(), (out / "data" / f).string()) == "");
  }
  SECTION("h5py reads every dataset, float16 dendritic voltages included") {
    const auto r = run_python(std::string(NEUROTWIN_TESTS_DIR) + "/python/read_every_dataset.py " + (out / "data" / "train.h5").string());
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK_THAT(r.output, Catch::Contains("dendritic_v_mV") && Catch::Contains("inputs/timestamps"));
  }

  SECTION("2 MPI ranks") {
    if (!have_mpirun()) {
      WARN("mpirun not found (install openmpi-bin): MPI determinism not checked");
      return;
    }
    move_data(out, "threads");
    const auto mpi = run_command(mpirun() + nt(common + " --set simulation.store_dendritic_voltages=true"));
    INFO(mpi.output);
    REQUIRE(mpi.status == 0);
    CHECK_THAT(mpi.output, Catch::Contains("[rank 1/2]") && Catch::Contains("merged from 2 rank shards"));
    for (const char* split : {"train", "valid", "test"}) {
      const std::string f = std::string(split) + ".h5";
      CHECK(compare((out / "one_thread" / f).string(), (out / "data" / f).string()) == "");
      CHECK_FALSE(fs::exists(out / "data" / (std::string(split) + "-shard-0-of-2.h5")));
    }
    const auto evaluate = run_command(mpirun() + nt("evaluate -o " + out.string()));
    CHECK(evaluate.status != 0);
    CHECK_THAT(evaluate.output, Catch::Contains("only `simulate`, `train`, `sweep` and `run` run in parallel"));
  }

  SECTION("Slurm-style shards and dataset merge") {
    move_data(out, "threads");
    for (const char* shard : {"2/3", "0/3", "1/3"}) {
      const auto r = run_command(nt(common + " --set simulation.store_dendritic_voltages=true --shard " + shard));
      INFO(r.output);
      REQUIRE(r.status == 0);
      CHECK_THAT(r.output, Catch::Contains("neurotwin dataset merge"));
    }
    CHECK(fs::exists(out / "data" / "test-shard-2-of-3.h5"));
    // Not all shards: merge names what is missing and writes nothing.
    fs::rename(out / "data" / "train-shard-1-of-3.h5", dir.file("aside.h5"));
    const auto partial = run_command(nt("dataset merge " + (out / "data").string()));
    CHECK(partial.status == 2);
    CHECK_THAT(partial.output, Catch::Contains("shard is missing"));
    fs::rename(dir.file("aside.h5"), out / "data" / "train-shard-1-of-3.h5");
    fs::remove(out / "data" / "test.h5");
    fs::remove(out / "data" / "valid.h5");

    const auto merge = run_command(nt("dataset merge --remove-shards " + (out / "data").string()));
    INFO(merge.output);
    REQUIRE(merge.status == 0);
    for (const char* split : {"train", "valid", "test"}) {
      const std::string f = std::string(split) + ".h5";
      CHECK(compare((out / "one_thread" / f).string(), (out / "data" / f).string()) == "");
    }
    CHECK_FALSE(fs::exists(out / "data" / "train-shard-0-of-3.h5"));
    const auto bad_shard = run_command(nt(common + " --set simulation.store_dendritic_voltages=true --shard 3/3"));
    CHECK(bad_shard.status == 2);
    CHECK_THAT(bad_shard.output, Catch::Contains("0 <= i < N"));
  }
}

TEST_CASE("a killed generation resumes and equals an uninterrupted run", "[python]") {
  TempDir dir("kill");
  const fs::path out = dir.file("out");
  // One lane per thread, so that simulations finish (and their parts are saved) one at a time: with
  // lockstep batches all 16 finish together and the parts exist only for the moment before the merge.
  const std::string command = nt(std::string("simulate -o ") + out.string() + kSmall +
                                 " --set dataset.train_simulations=16 --jobs 2 --lanes 1");
  const auto whole = run_command(command);
  INFO(whole.output);
  REQUIRE(whole.status == 0);
  move_data(out, "whole");

  // Start, wait until a few simulations are saved, then SIGKILL the process.
  const auto started = run_command(command + " > " + dir.file("log.txt") + " 2>&1 & echo $!");
  const std::string pid = started.output.substr(0, started.output.find('\n'));
  REQUIRE_FALSE(pid.empty());
  const fs::path parts = out / "data" / "train.h5.parts";
  std::size_t saved = 0;
  for (int i = 0; i < 600 && saved < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    saved = 0;
    if (fs::exists(parts))
      for (const auto& e : fs::directory_iterator(parts)) saved += e.path().extension() == ".part";
  }
  REQUIRE(saved >= 4);
  REQUIRE(run_command("kill -9 " + pid).status == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(fs::exists(out / "data" / "train.h5"));  // killed before it was complete
  const auto verify_partial = run_command(nt("dataset verify " + (out / "data" / "train.h5").string()));
  CHECK(verify_partial.status == 2);
  CHECK_THAT(verify_partial.output, Catch::Contains("incomplete") || Catch::Contains(".partial"));

  const auto resumed = run_command(command);
  INFO(resumed.output);
  REQUIRE(resumed.status == 0);
  CHECK_THAT(resumed.output, Catch::Contains("resumed from an interrupted run"));
  // "train.h5: 16 simulated s (N resumed from an interrupted run)": N >= the parts seen before the kill.
  const auto at = resumed.output.find("train.h5: 16 simulated s (");
  REQUIRE(at != std::string::npos);
  CHECK(std::stoul(resumed.output.substr(at + std::string("train.h5: 16 simulated s (").size())) >= saved);
  for (const char* split : {"train", "valid", "test"}) {
    const std::string f = std::string(split) + ".h5";
    CHECK(compare((out / "whole" / f).string(), (out / "data" / f).string()) == "");
  }
  CHECK_FALSE(fs::exists(parts));
}

TEST_CASE("dataset plot writes PNG figures; verify rejects a truncated file") {
  TempDir dir("plot");
  const fs::path out = dir.file("out");
  const auto sim = run_command(nt(std::string("simulate -o ") + out.string() + kSmall));
  REQUIRE(sim.status == 0);
  const std::string train = (out / "data" / "train.h5").string();
  const auto plot = run_command(nt("dataset plot " + train + " --simulation 2 --size 800 500 -o " + dir.file("fig")));
  INFO(plot.output);
  REQUIRE(plot.status == 0);
  for (const char* name : {"fig-sim2.png", "fig-output-rates.png"}) {
    std::ifstream png(dir.file(name), std::ios::binary);
    char header[24] = {};
    png.read(header, sizeof header);
    REQUIRE(png);
    CHECK(std::string(header + 1, 3) == "PNG");
    const auto be32 = [&](int at) {
      return (static_cast<unsigned>(static_cast<unsigned char>(header[at])) << 24) |
             (static_cast<unsigned>(static_cast<unsigned char>(header[at + 1])) << 16) |
             (static_cast<unsigned>(static_cast<unsigned char>(header[at + 2])) << 8) |
             static_cast<unsigned>(static_cast<unsigned char>(header[at + 3]));
    };
    CHECK(be32(16) == 800u);  // IHDR width
    CHECK(fs::file_size(dir.file(name)) > 5000);
  }
  const auto bad = run_command(nt("dataset plot " + train + " --simulation 9"));
  CHECK(bad.status == 2);
  CHECK_THAT(bad.output, Catch::Contains("out of range"));

  const auto stats = run_command(nt("dataset stats " + train));
  CHECK(stats.status == 0);
  CHECK_THAT(stats.output, Catch::Contains("inputs per tree per 100 ms"));

  fs::copy_file(train, dir.file("cut.h5"));
  fs::resize_file(dir.file("cut.h5"), fs::file_size(train) * 2 / 3);
  const auto verify = run_command(nt("dataset verify " + dir.file("cut.h5")));
  CHECK(verify.status == 2);
  CHECK_THAT(verify.output, Catch::Contains("cut.h5"));
  std::ofstream(dir.file("foreign.h5")) << "not a dataset";
  const auto foreign = run_command(nt("dataset verify " + dir.file("foreign.h5")));
  CHECK(foreign.status == 2);
  CHECK_THAT(foreign.output, Catch::Contains("foreign.h5") && Catch::Contains("not an HDF5 file"));
}
