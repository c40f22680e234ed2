// Training through the command line as a user runs it: data-parallel with
// `mpirun -np 2 neurotwin train` against one process with the same global
// batch, and the Beniaguev-style recipe (Nadam, stages, dendritic head) end
// to end on a small dataset.
#include "torch_first.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <unistd.h>

#include "neurotwin/surrogate/trainer.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using neurotwin::test::run_command;
using neurotwin::test::TempDir;

namespace {

std::string nt(const std::string& args) { return std::string(NEUROTWIN_BINARY) + " " + args; }

std::string mpirun() {
  const std::string env = getuid() == 0 ? "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " : "";
  return env + "mpirun --oversubscribe -np 2 ";
}

// 1-s simulations of the built-in cell with dendritic voltages; a 2-stage
// Nadam schedule with a dendritic head; batch 4 (2 windows per process).
const char* kSettings =
    " --set simulation.duration_ms=1000 --set simulation.store_dendritic_voltages=true"
    " --set dataset.train_simulations=4 --set dataset.valid_simulations=2 --set dataset.test_simulations=1"
    " --set cell.excitatory_gmax_nS=0.4 --set model.depth=2 --set model.width=6 --set model.first_kernel_ms=15 --set model.first_layer_windows_ms=[5,15]"
    " --set model.kernel_ms=5 --set training.ignore_first_ms=200 --set training.window_ms=150 --set training.batch_size=4"
    " --set training.optimizer=nadam --set training.stages.steps=[4,4] --set training.stages.learning_rate=[0.003,0.001]"
    " --set training.stages.spike_loss_weight=[1,2] --set training.stages.soma_loss_weight=[0.02,0.01]"
    " --set training.stages.dendrite_loss_weight=[0.05,0.02] --set training.dendrite_pca_components=4"
    " --set training.validate_every=4 --set training.checkpoint_every=4";

}  // namespace

TEST_CASE("mpirun -np 2 neurotwin train gives one process's weights (same global batch)") {
  if (run_command("command -v mpirun").status != 0) {
    WARN("mpirun not found (install openmpi-bin): data-parallel training not checked");
    return;
  }
  TempDir dir("dptrain");
  const std::string data = dir.file("data");
  const auto sim = run_command(nt("simulate -o " + dir.file("one") + " --set data_dir=" + data + kSettings));
  INFO(sim.output);
  REQUIRE(sim.status == 0);
  const auto one = run_command(nt("train --threads 2 -o " + dir.file("one") + " --set data_dir=" + data + kSettings));
  INFO(one.output);
  REQUIRE(one.status == 0);
  CHECK_THAT(one.output, Catch::Contains("dendritic PCA: 4 components"));
  const auto two =
      run_command(mpirun() + nt("train --threads 1 -o " + dir.file("two") + " --set data_dir=" + data + kSettings));
  INFO(two.output);
  REQUIRE(two.status == 0);
  CHECK_THAT(two.output, Catch::Contains("x 2 MPI processes"));

  using namespace neurotwin;
  TrainedSurrogate a = load_trained(dir.file("one") + "/train/best_model.pt", torch::kCPU);
  TrainedSurrogate b = load_trained(dir.file("two") + "/train/best_model.pt", torch::kCPU);
  CHECK(a.soma_bias_mV == b.soma_bias_mV);
  const auto pa = a.model->named_parameters(), pb = b.model->named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    // Convolution biases before batch norm have zero true gradient (rounding
    // noise, amplified by Adam's normalization) and no effect on the output.
    if (pa[i].key().rfind("conv", 0) == 0 && pa[i].key().find(".bias") != std::string::npos) continue;
    // Tolerance: 1/30 of one step of the largest learning rate (0.003).
    INFO(pa[i].key() << " max |difference| " << (pa[i].value() - pb[i].value()).abs().max().item<float>());
    CHECK(torch::allclose(pa[i].value(), pb[i].value(), 1e-3, 1e-4));
  }
  // Running statistics were gathered over the global batch too.
  const auto ba = a.model->named_buffers(), bb = b.model->named_buffers();
  for (std::size_t i = 0; i < ba.size(); ++i) {
    if (ba[i].key().find("running_mean") != std::string::npos) continue;  // shifted by the conv biases above
    INFO(ba[i].key());
    CHECK(torch::allclose(ba[i].value().to(torch::kFloat64), bb[i].value().to(torch::kFloat64), 1e-4, 1e-5));
  }
  torch::manual_seed(3);
  const torch::Tensor x = (torch::rand({2, a.model->config().input_channels, 400}) < 0.02).to(torch::kFloat32);
  const auto oa = a.model->forward(x), ob = b.model->forward(x);
  INFO("max |difference|: spike logit " << (oa.spike_logit - ob.spike_logit).abs().max().item<float>() << ", soma "
                                         << (oa.soma - ob.soma).abs().max().item<float>() << ", dendrite "
                                         << (oa.dendrite - ob.dendrite).abs().max().item<float>());
  // The outputs sum thousands of weights that each may differ by 1e-4: measured
  // 1.2e-3 to 1.6e-3 (a wrong gradient reduction moves them by O(1)).
  CHECK(torch::allclose(oa.spike_logit, ob.spike_logit, 1e-2, 1e-2));
  CHECK(torch::allclose(oa.soma, ob.soma, 1e-2, 1e-2));
  CHECK(torch::allclose(oa.dendrite, ob.dendrite, 1e-2, 1e-2));

  // A batch that does not split evenly over the processes is refused.
  const auto odd = run_command(mpirun() + nt("train --overwrite -o " + dir.file("two") + " --set data_dir=" + data + kSettings +
                                             " --set training.batch_size=3"));
  CHECK(odd.status != 0);
  CHECK_THAT(odd.output, Catch::Contains("multiple of the 2 data-parallel processes"));
}

namespace {

// results.csv without the columns that may differ between equal runs (wall time, where the model lies).
std::vector<std::string> comparable_rows(const std::string& csv_path) {
  std::vector<std::string> rows;
  for (const auto& row : neurotwin::test::read_csv_rows(csv_path)) {
    std::string kept;
    for (const auto& [column, value] : row)
      if (column != "training_seconds" && column != "model_path") kept += column + "=" + value + ",";
    rows.push_back(kept);
  }
  return rows;
}

const char* kSweepSettings =
    " --set sweep.depths=[1,2] --set sweep.widths=[2,3] --set sweep.plain_depths=[1] --set sweep.plain_widths=[2]"
    " --set sweep.learning_curve_fractions=[0.5] --set training.stages.steps=[4,4] --set training.validate_every=4"
    " --set training.checkpoint_every=4 --set training.dendrite_pca_components=0 --set training.batch_size=2";

}  // namespace

TEST_CASE("a sweep shared out (--shard i/N + --merge, mpirun -np 2) equals the one-process sweep") {
  TempDir dir("sweepshards");
  const std::string data = dir.file("data");
  const std::string common = " --threads 1 --set data_dir=" + data + kSettings + kSweepSettings;
  const auto sim = run_command(nt("simulate -o " + dir.file("one") + common));
  INFO(sim.output);
  REQUIRE(sim.status == 0);
  const auto one = run_command(nt("sweep -o " + dir.file("one") + common));
  INFO(one.output);
  REQUIRE(one.status == 0);
  CHECK_THAT(one.output, Catch::Contains("d1_w2_plain") && Catch::Contains("Learning curve of") &&
                             Catch::Contains("95% CI"));
  CHECK(fs::exists(dir.file("one/sweep/learning_curve.csv")));
  const std::vector<std::string> reference = comparable_rows(dir.file("one/sweep/results.csv"));
  REQUIRE(reference.size() == 6);  // GLM, 2 x 2, one plain TCN

  // Slurm-style: two shards, then a merge that trains nothing.
  const auto early = run_command(nt("sweep --merge -o " + dir.file("sharded") + common));
  CHECK(early.status == 2);
  CHECK_THAT(early.output, Catch::Contains("no result yet for") && Catch::Contains("glm"));
  for (const char* shard : {"0/2", "1/2"}) {
    const auto s = run_command(nt("sweep --shard " + std::string(shard) + " -o " + dir.file("sharded") + common));
    INFO(s.output);
    CHECK(s.status == 0);
    CHECK_THAT(s.output, Catch::Contains("sweep shard " + std::string(shard)));
    CHECK_FALSE(fs::exists(dir.file("sharded/sweep/results.csv")));
  }
  const auto merged = run_command(nt("sweep --merge -o " + dir.file("sharded") + common));
  INFO(merged.output);
  CHECK(merged.status == 0);
  CHECK_THAT(merged.output, Catch::Contains("learning curve not written"));
  CHECK(comparable_rows(dir.file("sharded/sweep/results.csv")) == reference);
  CHECK(run_command(nt("sweep --shard 2/2 -o " + dir.file("sharded") + common)).status == 2);

  // sweep.learning_curve_network: best -> the curve trains the network with the highest validation AUC.
  const auto best = run_command(nt("sweep -o " + dir.file("best") + common + " --set sweep.learning_curve_network=best"));
  INFO(best.output);
  REQUIRE(best.status == 0);
  std::string best_name;
  double best_auc = -1;
  for (const auto& row : neurotwin::test::read_csv_rows(dir.file("best/sweep/results.csv")))
    if (row.at("model") == "tcn" && std::stod(row.at("valid_auc")) > best_auc) {
      best_auc = std::stod(row.at("valid_auc"));
      best_name = row.at("name");
    }
  CHECK_THAT(best.output, Catch::Contains("Learning curve of " + best_name + " "));
  bool curve_of_best = false;  // its rows are named <network>_n<simulations>
  for (const auto& entry : fs::directory_iterator(dir.file("best/sweep/learning_curve")))
    curve_of_best = curve_of_best || entry.path().filename().string().rfind(best_name + "_n", 0) == 0;
  CHECK(curve_of_best);

  if (run_command("command -v mpirun").status != 0) {
    WARN("mpirun not found (install openmpi-bin): the MPI sweep is not checked");
    return;
  }
  const auto mpi = run_command(mpirun() + nt("sweep -o " + dir.file("mpi") + common));
  INFO(mpi.output);
  CHECK(mpi.status == 0);
  CHECK_THAT(mpi.output, Catch::Contains("over 2 MPI processes"));
  CHECK(comparable_rows(dir.file("mpi/sweep/results.csv")) == reference);
  CHECK(comparable_rows(dir.file("mpi/sweep/learning_curve.csv")) == comparable_rows(dir.file("one/sweep/learning_curve.csv")));
}
