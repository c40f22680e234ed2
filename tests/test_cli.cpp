// The neurotwin command line, run as a user runs it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <map>
#include <sstream>
#include <zlib.h>

#include "test_support.hpp"

namespace fs = std::filesystem;
using neurotwin::test::run_command;
using neurotwin::test::TempDir;

namespace {

std::string nt(const std::string& args) { return std::string(NEUROTWIN_BINARY) + " " + args; }

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A tiny but complete experiment: 700-ms simulations, 2 x 2 sweep of small nets.
const char* kTiny =
    "output_dir: OUT\n"
    "simulation: {duration_ms: 700}\n"
    "dataset: {train_simulations: 4, valid_simulations: 2, test_simulations: 2}\n"
    "cell: {excitatory_gmax_nS: 0.4}\n"
    "model: {first_kernel_ms: 9, kernel_ms: 3, first_layer_windows_ms: [2, 5, 9]}\n"
    "training: {stages: {steps: [12]}, batch_size: 2, window_ms: 100, validate_every: 6, checkpoint_every: 6}\n"
    "sweep: {depths: [1, 2], widths: [2, 4]}\n";

std::string tiny_config(const TempDir& dir) {
  std::string text = kTiny;
  text.replace(text.find("OUT"), 3, dir.file("out"));
  const std::string path = dir.file("tiny.yaml");
  write(path, text);
  return path;
}

// What a reader would notice of a PNG: its size, and whether it holds a picture (not one flat colour).
struct PngFacts {
  bool signature = false;
  std::uint32_t width = 0, height = 0;
  std::size_t distinct_bytes = 0;  // of the decompressed scanlines
};
PngFacts png_facts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  PngFacts f;
  f.signature = data.size() > 33 && data.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
  if (!f.signature) return f;
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(data[at])) << 24) | (std::uint32_t(std::uint8_t(data[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(data[at + 2])) << 8) | std::uint32_t(std::uint8_t(data[at + 3]));
  };
  f.width = be32(16);
  f.height = be32(20);
  std::string idat;
  for (std::size_t at = 8; at + 8 <= data.size();) {
    const std::uint32_t length = be32(at);
    if (data.compare(at + 4, 4, "IDAT") == 0) idat += data.substr(at + 8, length);
    at += 12 + length;
  }
  std::vector<unsigned char> raw(std::size_t(f.width) * f.height * 4 + f.height);
  uLongf raw_size = static_cast<uLongf>(raw.size());
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), static_cast<uLong>(idat.size())) != Z_OK)
    return f;
  std::vector<bool> seen(256, false);
  for (uLongf i = 0; i < raw_size; ++i) seen[raw[i]] = true;
  f.distinct_bytes = static_cast<std::size_t>(std::count(seen.begin(), seen.end(), true));
  return f;
}

// The rows of a Markdown table (cells trimmed), from the line after its separator.
std::vector<std::vector<std::string>> markdown_table(const std::string& path, const std::string& header_start) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (!inside) {
      if (line.rfind(header_start, 0) == 0) {
        inside = true;
        std::getline(in, line);  // |---|
      }
      continue;
    }
    if (line.empty() || line[0] != '|') break;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    for (std::string cell; std::getline(ss, cell, '|');) {
      const auto a = cell.find_first_not_of(' '), b = cell.find_last_not_of(' ');
      cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
    }
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace

TEST_CASE("--help and --version") {
  const auto help = run_command(nt("--help"));
  CHECK(help.status == 0);
  for (const char* sub : {"simulate", "train", "evaluate", "sweep", "report", "predict", "export", "run", "info", "config", "dataset"})
    CHECK_THAT(help.output, Catch::Contains(sub));
  for (const char* sub : {"simulate", "train", "evaluate", "sweep", "report", "export", "run"}) {
    const auto h = run_command(nt(std::string(sub) + " --help"));
    CHECK(h.status == 0);
    CHECK_THAT(h.output, Catch::Contains("--set") && Catch::Contains("--threads") && Catch::Contains("--overwrite"));
  }
  const auto predict = run_command(nt("predict --help"));
  CHECK(predict.status == 0);
  CHECK_THAT(predict.output, Catch::Contains("--model") && Catch::Contains("--inputs") && Catch::Contains("--plot"));
  const auto version = run_command(nt("--version"));
  CHECK(version.status == 0);
  CHECK_THAT(version.output, Catch::Contains("neurotwin 0."));
  const auto info = run_command(nt("info --threads 2"));
  CHECK(info.status == 0);
  CHECK_THAT(info.output, Catch::Contains("LibTorch") && Catch::Contains("threads   2") && Catch::Contains("device"));
}

TEST_CASE("experiments/configs/default.yaml is the embedded default experiment") {
  const auto embedded = run_command(nt("config"));
  const auto file = run_command(nt(std::string("config ") + NEUROTWIN_TESTS_DIR + "/../experiments/configs/default.yaml"));
  REQUIRE(embedded.status == 0);
  REQUIRE(file.status == 0);
  CHECK(embedded.output == file.output);
  // The resolved configuration loads back to itself.
  TempDir dir("config");
  write(dir.file("resolved.yaml"), embedded.output);
  CHECK(run_command(nt("config " + dir.file("resolved.yaml"))).output == embedded.output);
}

TEST_CASE("configuration errors name the file, the line and the key") {
  TempDir dir("badconfig");
  const std::string path = dir.file("bad.yaml");
  SECTION("typo in a key") {
    write(path, "seed: 3\ntraining:\n  stages:\n    lerning_rate: [0.01]\n");
    const auto r = run_command(nt("config " + path));
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("bad.yaml:4") && Catch::Contains("training.stages.lerning_rate") &&
                             Catch::Contains("did you mean 'training.stages.learning_rate'"));
  }
  SECTION("wrong type") {
    write(path, "training:\n  batch_size: many\n");
    const auto r = run_command(nt("config " + path));
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("bad.yaml:2") && Catch::Contains("training.batch_size") && Catch::Contains("integer"));
  }
  SECTION("stage table columns of different lengths") {
    write(path, "training:\n  stages:\n    steps: [10, 20]\n    learning_rate: [0.001]\n");
    const auto r = run_command(nt("config " + path));
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("bad.yaml:4") && Catch::Contains("training.stages.learning_rate") &&
                             Catch::Contains("one entry per stage"));
  }
  SECTION("out of range") {
    write(path, "simulation:\n  dt_ms: -1\n");
    const auto r = run_command(nt("config " + path));
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("bad.yaml:2") && Catch::Contains("simulation.dt_ms") && Catch::Contains("out of range"));
  }
  SECTION("bad choice") {
    write(path, "cell:\n  excitatory_synapse: gaba\n");
    CHECK_THAT(run_command(nt("config " + path)).output, Catch::Contains("bad.yaml:2") && Catch::Contains("nmda, ampa"));
  }
  SECTION("YAML syntax") {
    write(path, "training: {batch_size: 3\n");
    const auto r = run_command(nt("config " + path));
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("bad.yaml") && Catch::Contains("YAML syntax"));
  }
  SECTION("--set with an unknown key or a bad value") {
    CHECK_THAT(run_command(nt("config --set training.stepz=3")).output,
               Catch::Contains("--set training.stepz=3") && Catch::Contains("unknown key"));
    CHECK_THAT(run_command(nt("config --set training.stages.steps=[0]")).output,
               Catch::Contains("--set training.stages.steps=[0]") && Catch::Contains("out of range"));
  }
  SECTION("--set overrides a single key") {
    const auto r = run_command(nt("config --set training.stages.steps=[77] --set sweep.widths=[3,5]"));
    CHECK(r.status == 0);
    CHECK_THAT(r.output, Catch::Contains("steps: [77]") && Catch::Contains("widths: [3, 5]"));
  }
  SECTION("the beniaguev recipe sets the paper's schedule; its dendritic head needs stored dendritic voltages") {
    const auto r = run_command(nt("config --set training.recipe=beniaguev --set simulation.store_dendritic_voltages=true"));
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK_THAT(r.output, Catch::Contains("optimizer: \"nadam\"") && Catch::Contains("steps: [4000, 4000, 4000, 4000, 9000]") &&
                             Catch::Contains("learning_rate: [0.0001, 3e-05, 1e-05, 3e-06, 1e-06]") &&
                             Catch::Contains("dendrite_pca_components: 20") && Catch::Contains("window_ms: 400"));
    const auto missing = run_command(nt("config --set training.recipe=beniaguev"));
    CHECK(missing.status == 2);
    CHECK_THAT(missing.output, Catch::Contains("training.dendrite_pca_components") &&
                                   Catch::Contains("simulation.store_dendritic_voltages"));
  }  SECTION("the integration mode sets dt, scheme and rate tables; explicit keys win") {
    const auto d = run_command(nt("config"));
    CHECK_THAT(d.output, Catch::Contains("integration: \"neurotwin\"") && Catch::Contains("dt_ms: 0.02\n") &&
                             Catch::Contains("scheme: \"crank_nicolson\"") && Catch::Contains("rate_tables: true"));
    const auto n = run_command(nt("config --set simulation.integration=neuron-fixed"));
    CHECK_THAT(n.output, Catch::Contains("dt_ms: 0.025\n") && Catch::Contains("scheme: \"backward_euler\"") &&
                             Catch::Contains("rate_tables: false"));
    const auto o = run_command(nt("config --set simulation.integration=neuron-fixed --set simulation.dt_ms=0.01"));
    CHECK_THAT(o.output, Catch::Contains("dt_ms: 0.01\n") && Catch::Contains("scheme: \"backward_euler\""));
    const auto bad = run_command(nt("config --set simulation.scheme=rk4"));
    CHECK(bad.status == 2);
    CHECK_THAT(bad.output, Catch::Contains("simulation.scheme") && Catch::Contains("crank_nicolson"));
  }
}

TEST_CASE("a tiny experiment runs end to end, resumes, and never overwrites silently") {
  TempDir dir("e2e");
  const std::string config = tiny_config(dir);
  const fs::path out = dir.file("out");
  const auto run = run_command(nt("run " + config + " --threads 2"));
  INFO(run.output);
  REQUIRE(run.status == 0);
  for (const char* f : {"config.resolved.yaml", "data/train.h5", "data/valid.h5", "data/test.h5", "sweep/results.csv",
                        "sweep/results.json", "sweep/d1_w2/best_model.pt", "sweep/d2_w4/result.yaml", "export/surrogate.pt",
                        "export/surrogate.yaml", "evaluation/metrics.json", "sweep/glm/best_model.pt",
                        "sweep/d1_w2/training_log.csv"})
    CHECK(fs::exists(out / f));
  // Tiny data: the networks may or may not beat the GLM on validation; the sweep says which.
  CHECK_THAT(run.output, (Catch::Contains("Smallest network within") || Catch::Contains("is above the GLM on validation; the highest")) &&
                             Catch::Contains("name           depth width") &&
                             Catch::Contains("GLM baseline") && Catch::Contains("95% CI"));
  std::ifstream csv(out / "sweep" / "results.csv");
  std::vector<std::string> lines;
  for (std::string line; std::getline(csv, line);) lines.push_back(line);
  REQUIRE(lines.size() == 6);  // header + the GLM + 2 x 2
  CHECK(lines[1].rfind("glm,glm,", 0) == 0);
  CHECK(lines[1].find(",0,") != std::string::npos);  // the baseline is never the chosen network

  SECTION("the report: every figure a picture, the Markdown table the numbers of results.csv") {
    CHECK_THAT(run.output, Catch::Contains("report: ") && Catch::Contains("README.md"));
    const fs::path report = out / "report";
    const std::string chosen = [&] {
      for (const auto& row : neurotwin::test::read_csv_rows((out / "sweep" / "results.csv").string()))
        if (row.at("chosen") == "1") return row.at("name");
      return std::string();
    }();
    REQUIRE_FALSE(chosen.empty());
    for (const std::string& png : {std::string("accuracy_vs_complexity.png"), std::string("roc.png"),
                                  "predictions_" + chosen + ".png", std::string("first_layer.png"),
                                  std::string("training_curves.png")}) {
      INFO(png);
      REQUIRE(fs::exists(report / png));
      const PngFacts f = png_facts((report / png).string());
      CHECK(f.signature);
      CHECK(f.width >= 1200);
      CHECK(f.height >= 900);
      CHECK(f.distinct_bytes > 40);  // a blank page decompresses to a handful of byte values
    }
    const std::string readme = (report / "README.md").string();
    std::ifstream in(readme);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    CHECK_THAT(text, Catch::Contains("![accuracy against size](accuracy_vs_complexity.png)") &&
                         Catch::Contains("![ROC curves](roc.png)") && Catch::Contains("Not drawn: learning curve"));
    const auto table = markdown_table(readme, "| network |");
    const auto results = neurotwin::test::read_csv_rows((out / "sweep" / "results.csv").string());
    REQUIRE(table.size() == results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      INFO(results[i].at("name"));
      CHECK_THAT(table[i][0], Catch::Contains("`" + results[i].at("name") + "`"));
      CHECK((table[i][0].find("(chosen)") != std::string::npos) == (results[i].at("chosen") == "1"));
      CHECK(table[i][5] == results[i].at("parameters"));
      CHECK(std::stod(table[i][7]) == Approx(std::stod(results[i].at("valid_auc"))).margin(5e-5));
      CHECK(std::stod(table[i][8]) == Approx(std::stod(results[i].at("test_auc"))).margin(5e-5));
      CHECK(std::stod(table[i][11]) == Approx(std::stod(results[i].at("test_tpr_at_fpr_0.25pct"))).margin(5e-4));
    }
    // Rerunning regenerates it; a run directory works as the argument; an earlier report's figure of a
    // network that is no longer drawn does not stay; files other than PNGs are kept.
    fs::remove(report / "roc.png");
    fs::copy_file(report / "first_layer.png", report / "predictions_d9_w9.png");
    { std::ofstream(report / "notes.txt") << "mine\n"; }
    const auto again = run_command(nt("report " + out.string()));
    INFO(again.output);
    CHECK(again.status == 0);
    CHECK(fs::exists(report / "roc.png"));
    CHECK_FALSE(fs::exists(report / "predictions_d9_w9.png"));
    CHECK(fs::exists(report / "notes.txt"));
    const auto none = run_command(nt("report " + dir.file("nothing_here")));
    CHECK(none.status == 2);
    CHECK_THAT(none.output, Catch::Contains("nothing_here"));
  }
  SECTION("predict streams the export over a test simulation and scores it; a foreign file is refused") {
    const std::string model = (out / "export" / "surrogate.pt").string();
    const auto p = run_command(nt("predict --model " + model + " --inputs " + (out / "data" / "test.h5").string() +
                                  " --simulation 1 --plot --output " + dir.file("pred/sim1.h5")));
    INFO(p.output);
    CHECK(p.status == 0);
    CHECK_THAT(p.output, Catch::Contains("700 ms predicted") && Catch::Contains("spike AUC") &&
                             Catch::Contains("spikes within 2/5 ms"));
    CHECK(fs::exists(dir.file("pred/sim1.h5")));
    const PngFacts f = png_facts(dir.file("pred/sim1.png"));
    CHECK(f.signature);
    CHECK(f.distinct_bytes > 40);
    const auto again = run_command(nt("predict --model " + model + " --inputs " + (out / "data" / "test.h5").string() +
                                      " --simulation 1 --output " + dir.file("pred/sim1.h5")));
    CHECK(again.status == 2);
    CHECK_THAT(again.output, Catch::Contains("--overwrite"));
    const auto range = run_command(nt("predict --model " + model + " --inputs " + (out / "data" / "test.h5").string() +
                                      " --simulation 9 --output " + dir.file("pred/sim9.h5")));
    CHECK(range.status == 2);
    CHECK_THAT(range.output, Catch::Contains("--simulation 9"));
    const auto foreign = run_command(nt("predict --model " + model + " --inputs " + std::string(NEUROTWIN_SHARED_DIR) +
                                        "/reference/nmda_seed1_cvode.h5 --output " + dir.file("pred/ref.h5")));
    CHECK(foreign.status == 2);
    CHECK_THAT(foreign.output, Catch::Contains("nmda_seed1_cvode.h5") && Catch::Contains("synapse segments"));
  }
  SECTION("rerunning resumes: completed work is kept") {
    const auto again = run_command(nt("run " + config));
    INFO(again.output);
    CHECK(again.status == 0);
    CHECK_THAT(again.output, Catch::Contains("complete, kept") && Catch::Contains("done earlier, kept"));
  }
  SECTION("an interrupted sweep entry is retrained from its checkpoint") {
    fs::remove(out / "sweep" / "d2_w4" / "result.yaml");
    const auto again = run_command(nt("sweep " + config));
    INFO(again.output);
    CHECK(again.status == 0);
    CHECK(fs::exists(out / "sweep" / "d2_w4" / "result.yaml"));
  }
  SECTION("a different configuration in the same directory is refused") {
    const auto other = run_command(nt("train " + config + " --set training.stages.steps=[13]"));
    CHECK(other.status == 2);
    CHECK_THAT(other.output, Catch::Contains("different configuration") && Catch::Contains("--overwrite"));
    // A key that changes no result (memory for decoded windows) is not a different configuration.
    const auto cache = run_command(nt("sweep " + config + " --set training.window_cache_mb=64"));
    INFO(cache.output);
    CHECK(cache.status == 0);
    CHECK_THAT(cache.output, Catch::Contains("done earlier, kept"));
  }
  SECTION("export refuses to overwrite an existing file") {
    const auto model = (out / "sweep" / "d1_w2" / "best_model.pt").string();
    const auto e = run_command(nt("export " + config + " --model " + model + " --output " + (out / "export" / "surrogate.pt").string()));
    CHECK(e.status == 2);
    CHECK_THAT(e.output, Catch::Contains("already exists") && Catch::Contains("--overwrite"));
    const auto fresh = run_command(nt("export " + config + " --model " + model + " --output " + dir.file("mine.pt")));
    CHECK(fresh.status == 0);
    CHECK(fs::exists(dir.file("mine.yaml")));
  }
  SECTION("the GLM baseline is evaluated like a network and is not exported") {
    const auto glm = (out / "sweep" / "glm" / "best_model.pt").string();
    const auto e = run_command(nt("evaluate " + config + " --model " + glm));
    INFO(e.output);
    CHECK(e.status == 0);
    CHECK_THAT(e.output, Catch::Contains("spike AUC"));
    const auto x = run_command(nt("export " + config + " --model " + glm + " --output " + dir.file("glm.pt")));
    CHECK(x.status == 2);
    CHECK_THAT(x.output, Catch::Contains("GLM baseline") && Catch::Contains("best_model.pt"));
  }
  SECTION("evaluate reads the test split and writes metrics") {
    const auto e = run_command(nt("evaluate " + config + " --model " + (out / "sweep" / "d1_w2" / "best_model.pt").string()));
    INFO(e.output);
    CHECK(e.status == 0);
    CHECK_THAT(e.output, Catch::Contains("spike AUC"));
  }
  SECTION("a truncated dataset is reported, not used") {
    const auto test_file = out / "data" / "test.h5";
    fs::resize_file(test_file, fs::file_size(test_file) / 3);
    const auto e = run_command(nt("evaluate " + config + " --model " + (out / "sweep" / "d1_w2" / "best_model.pt").string()));
    CHECK(e.status == 2);
    CHECK_THAT(e.output, Catch::Contains("test.h5"));
  }
  SECTION("dataset info and verify") {
    const auto info = run_command(nt("dataset info " + (out / "data" / "train.h5").string()));
    INFO(info.output);
    CHECK(info.status == 0);
    CHECK_THAT(info.output, Catch::Contains("4 x 700 ms") && Catch::Contains("ISI CV") && Catch::Contains("bytes per simulated s"));
    const auto ok = run_command(nt("dataset verify " + (out / "data" / "train.h5").string() + " " + (out / "data" / "test.h5").string()));
    CHECK(ok.status == 0);
    CHECK_THAT(ok.output, Catch::Contains("train.h5: OK") && Catch::Contains("test.h5: OK"));
    fs::copy_file(out / "data" / "valid.h5", dir.file("cut.h5"));
    fs::resize_file(dir.file("cut.h5"), fs::file_size(dir.file("cut.h5")) / 2);
    const auto bad = run_command(nt("dataset verify " + dir.file("cut.h5")));
    CHECK(bad.status == 2);
    CHECK_THAT(bad.output, Catch::Contains("cut.h5"));
  }
  SECTION("a missing model file is reported") {
    const auto e = run_command(nt("evaluate " + config + " --model " + dir.file("nope.pt")));
    CHECK(e.status == 2);
    CHECK_THAT(e.output, Catch::Contains("nope.pt") && Catch::Contains("no such model"));
  }
}

TEST_CASE("simulate --inputs replays a NEURON reference file on the Hay L5PC", "[python]") {
  const std::string shared = NEUROTWIN_SHARED_DIR;
  const std::string reference = shared + "/reference/ampa_seed1_fixed.h5";
  if (!fs::exists(reference) || !fs::exists(shared + "/morphologies/cell1.asc")) {
    WARN("../shared not found: replay of the reference skipped");
    return;
  }
  TempDir dir("replay");
  // neuron-fixed: NEURON's own scheme, so the same numbers as the fixed-step reference.
  const auto r = run_command(nt("simulate -o " + dir.file("out") + " --set simulation.integration=neuron-fixed" +
                                " --set cell.model=l5pc-ampa --set cell.morphology=" + shared + "/morphologies/cell1.asc --inputs " +
                                reference + " --replay-output " + dir.file("replay.h5")));
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("185033 input events replayed"));
  const auto cmp = neurotwin::test::run_python(std::string(NEUROTWIN_TESTS_DIR) + "/python/compare_replay.py " +
                                               dir.file("replay.h5") + " " + reference + " 0.001 1e-6");  // NEURON accumulates t: 3e-8 ms off
  INFO(cmp.output);
  CHECK(cmp.status == 0);
  const auto again = run_command(nt("simulate -o " + dir.file("out") + " --set cell.model=l5pc-ampa --set cell.morphology=" +
                                    shared + "/morphologies/cell1.asc --inputs " + reference + " --replay-output " +
                                    dir.file("replay.h5")));
  CHECK(again.status == 2);
  CHECK_THAT(again.output, Catch::Contains("--overwrite"));
}

TEST_CASE("simulate --inputs re-simulates one simulation of a dataset") {
  TempDir dir("replay-dataset");
  const std::string sets = " --set simulation.duration_ms=700 --set dataset.train_simulations=3 --set dataset.valid_simulations=1"
                           " --set dataset.test_simulations=1 --set training.ignore_first_ms=100 --set training.window_ms=100"
                           " --set simulation.store_dendritic_voltages=true";
  REQUIRE(run_command(nt("simulate -o " + dir.file("out") + sets)).status == 0);
  const auto r = run_command(nt("simulate -o " + dir.file("out") + sets + " --inputs " + dir.file("out/data/train.h5") +
                                " --simulation 2 --record segments --replay-output " + dir.file("sim2.h5")));
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.output, Catch::Contains("simulation 2 of a neurotwin dataset"));
  const auto info = run_command(nt("dataset info " + dir.file("out/data/train.h5")));
  // The replayed 8/ms spikes equal the dataset's output spikes of simulation 2.
  const auto cmp = neurotwin::test::run_python(
      "-c \"import h5py, numpy as np; d = h5py.File('" + dir.file("out/data/train.h5") + "'); r = h5py.File('" +
      dir.file("sim2.h5") + "'); p = d['output_spikes/index_pointer'][:]; "
      "a = d['output_spikes/timestamps'][p[2]:p[3]]; b = r['spike_times_8perms_ms'][:]; "
      "assert np.array_equal(a, b), (a, b); "
      "k = int(round(1 / r.attrs['sample_dt_ms'])); assert np.allclose(d['soma_v_mV'][2], r['soma_v_mV'][::k][:700], atol=1e-4); "
      // --record segments: every input segment at 1 sample/ms, as the dataset stored them (float16 there).
      "s = r['dendritic_v_mV'][:]; t = d['dendritic_v_mV'][2].astype(np.float32); assert s.shape == t.shape == (t.shape[0], 700), (s.shape, t.shape); "
      "assert np.abs(s - t).max() < 0.04, np.abs(s - t).max(); assert np.ptp(s) > 20; print('same', len(a), s.shape)\"");
  INFO(cmp.output);
  CHECK(cmp.status == 0);
  const auto bad = run_command(nt("simulate -o " + dir.file("out") + sets + " --inputs " + dir.file("out/data/train.h5") +
                                  " --simulation 7"));
  CHECK(bad.status == 2);
  CHECK_THAT(bad.output, Catch::Contains("out of range"));
  const auto no_inputs = run_command(nt("simulate -o " + dir.file("out") + sets + " --record segments"));
  CHECK(no_inputs.status == 2);
  CHECK_THAT(no_inputs.output, Catch::Contains("--record segments") && Catch::Contains("--inputs"));
  const auto unknown = run_command(nt("simulate -o " + dir.file("out") + sets + " --inputs " + dir.file("out/data/train.h5") +
                                      " --record axon"));
  CHECK(unknown.status != 0);
  CHECK_THAT(unknown.output, Catch::Contains("--record"));
}
