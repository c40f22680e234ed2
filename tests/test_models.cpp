// The surrogates shipped in models/: each loads, runs on the NEURON reference
// file its sidecar names, and gives the AUC recorded there (C++ `neurotwin
// predict` and the Python example); the installed library streams one from a
// separate C++ program (examples/cpp). A cell NEURON was not run for (AMPA-SK)
// is scored on our simulator's replay of a NEURON file's inputs, which the test
// makes again as the sidecar describes.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;
using neurotwin::test::run_command;

namespace {

// What a sidecar records (copied out: yaml-cpp nodes assign through, so they must not be sorted or swapped).
struct ShippedModel {
  std::string path;
  std::string reference;  // ../shared/reference/<file>
  std::string replay_cell;  // non-empty: the reference is this cell's replay of `reference`'s inputs
  double reference_auc = 0, test_auc = 0;
};

std::vector<ShippedModel> shipped_models() {
  std::vector<ShippedModel> out;
  for (const auto& entry : fs::directory_iterator(std::string(NEUROTWIN_SOURCE_DIR) + "/models")) {
    if (entry.path().extension() != ".pt") continue;
    ShippedModel m;
    m.path = entry.path().string();
    const YAML::Node sidecar = YAML::LoadFile(fs::path(m.path).replace_extension(".yaml").string());
    m.reference = std::string(NEUROTWIN_SHARED_DIR) + "/reference/" + sidecar["reference_files"].as<std::string>();
    if (sidecar["reference_replay_cell"]) {
      m.replay_cell = sidecar["reference_replay_cell"].as<std::string>();
      m.reference =
          std::string(NEUROTWIN_SHARED_DIR) + "/reference/" + sidecar["reference_replay_inputs"].as<std::string>();
    }
    m.reference_auc = sidecar["reference_metrics"]["spike_auc"].as<double>();
    m.test_auc = sidecar["test_metrics"]["spike_auc"].as<double>();
    out.push_back(m);
  }
  std::sort(out.begin(), out.end(), [](const ShippedModel& a, const ShippedModel& b) { return a.path < b.path; });
  return out;
}

// "spike AUC 0.9922" -> 0.9922; NaN when absent.
double printed_auc(const std::string& text) {
  const auto at = text.find("spike AUC ");
  return at == std::string::npos ? std::nan("") : std::stod(text.substr(at + 10, 6));
}

// The file to score m on: its NEURON reference, or the replay of that file's inputs on m's cell (written
// into dir with the Hay morphology of ../shared).
std::string reference_file(const ShippedModel& m, const neurotwin::test::TempDir& dir) {
  if (m.replay_cell.empty()) return m.reference;
  const std::string replay = dir.file("replay.h5");
  const auto r = run_command(std::string(NEUROTWIN_BINARY) + " simulate -o " + dir.file("replay-run") +
                             " --set cell.model=" + m.replay_cell +
                             " --set cell.morphology=" + NEUROTWIN_SHARED_DIR + "/morphologies/cell1.asc --inputs " +
                             m.reference + " --replay-output " + replay);
  INFO(r.output);
  REQUIRE(r.status == 0);
  return replay;
}

}  // namespace

TEST_CASE("every shipped surrogate reproduces its recorded AUC on its NEURON reference file") {
  const auto models = shipped_models();
  REQUIRE(models.size() >= 1);
  for (const ShippedModel& m : models) {
    INFO(m.path);
    CHECK(fs::file_size(m.path) < 4u << 20);  // a few MB at most
    const double recorded = m.reference_auc;
    CHECK(m.test_auc > 0.95);  // the sweep's test split, as recorded at export
    neurotwin::test::TempDir dir("models");
    const auto r = run_command(std::string(NEUROTWIN_BINARY) + " predict --model " + m.path + " --inputs " +
                               reference_file(m, dir) + " --output " + dir.file("p.h5"));
    INFO(r.output);
    REQUIRE(r.status == 0);
    CHECK(printed_auc(r.output) == Approx(recorded).margin(6e-5));  // printed to 4 decimals
  }
}

TEST_CASE("the Python example predicts a shipped surrogate's reference file as recorded, streaming equal to the window", "[python]") {
  const auto models = shipped_models();
  const auto neuron_scored = std::find_if(models.begin(), models.end(), [](const ShippedModel& m) { return m.replay_cell.empty(); });
  REQUIRE(neuron_scored != models.end());
  const ShippedModel& m = *neuron_scored;
  const auto py = neurotwin::test::run_python(std::string(NEUROTWIN_SOURCE_DIR) + "/examples/python/predict_reference.py " +
                                              m.path + " " + m.reference + " --stream");
  INFO(py.output);
  REQUIRE(py.status == 0);
  CHECK(printed_auc(py.output) == Approx(m.reference_auc).margin(6e-5));
}

TEST_CASE("a C++ program built against the installed library streams 100 shipped surrogates for 1 s") {
  const std::string work = std::string(NEUROTWIN_TEST_WORK_DIR) + "/example_cpp";
  fs::remove_all(work);
  const std::string cmake = NEUROTWIN_CMAKE_COMMAND;
  auto run = [](const std::string& what, const std::string& command) {
    const auto r = run_command(command + " 2>&1");
    INFO(what << ": " << command << "\n" << r.output);
    REQUIRE(r.status == 0);
    return r.output;
  };
  run("install", cmake + " --install " + NEUROTWIN_BUILD_DIR + " --prefix " + work + "/prefix");
  run("configure", cmake + " -S " + NEUROTWIN_SOURCE_DIR + "/examples/cpp -B " + work + "/build -DCMAKE_PREFIX_PATH=" + work +
                       "/prefix");
  run("build", cmake + " --build " + work + "/build");
  const std::string model = shipped_models().front().path;
  const std::string out = run("run", work + "/build/stream_neurons " + model + " --neurons 100 --duration-ms 1000");
  CHECK_THAT(out, Catch::Contains("streamed 100 neurons for 1000 ms") && Catch::Contains("neuron-ms per wall s"));
  const auto bad = run_command(work + "/build/stream_neurons " + work + "/none.pt 2>&1");
  CHECK(bad.status != 0);
  CHECK_THAT(bad.output, Catch::Contains("none.pt"));
}
