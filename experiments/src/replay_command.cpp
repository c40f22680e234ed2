// `neurotwin simulate --inputs FILE`: re-simulates recorded input events — a
// NEURON reference file (inputs/ex_segment, ex_time_ms, inh_segment,
// inh_time_ms) or one simulation of a neurotwin dataset — and writes the soma
// and dendrite voltage at every solver step and the output spikes.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "commands.hpp"
#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/datasets/reference_file.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/recording.hpp"
#include "neurotwin/simulator/simulation.hpp"
#include "neurotwin/version.hpp"

namespace neurotwin::cli {

namespace fs = std::filesystem;

namespace {

struct RecordedInputs {
  std::vector<InputEvent> events;
  double duration_ms = -1;  // from the file, if it says
  std::string description;
  std::optional<ReferenceRecording> reference;  // a reference-layout file's events, copied into the replay
};

RecordedInputs read_inputs(const std::string& path, std::size_t simulation, std::size_t synapse_segments) {
  RecordedInputs r;
  const bool reference = is_reference_file(path);
  if (reference) {
    const ReferenceRecording rec = read_reference_file(path, /*require_traces=*/false);
    const auto S = static_cast<std::int64_t>(synapse_segments);
    auto add = [&](std::int64_t seg, double t, std::int64_t offset, const char* kind) {
      if (seg < 0 || seg >= S)
        throw InputError(path + ": " + kind + " input on segment " + std::to_string(seg) + ", but the cell has " +
                         std::to_string(S) + " synapse segments");
      r.events.push_back({t, static_cast<int>(offset + seg)});
    };
    for (std::size_t i = 0; i < rec.ex_segment.size(); ++i) add(rec.ex_segment[i], rec.ex_time_ms[i], 0, "excitatory");
    for (std::size_t i = 0; i < rec.inh_segment.size(); ++i) add(rec.inh_segment[i], rec.inh_time_ms[i], S, "inhibitory");
    r.duration_ms = rec.duration_ms;
    r.description = "reference-layout inputs";
    r.reference = rec;
  }
  if (!reference) {  // a neurotwin dataset
    const DatasetReader d(path);
    if (simulation >= d.simulation_count())
      throw InputError(path + ": --simulation " + std::to_string(simulation) + " out of range (the file holds " +
                       std::to_string(d.simulation_count()) + ")");
    if (d.input_count() != 2 * synapse_segments)
      throw InputError(path + ": recorded for a cell with " + std::to_string(d.input_count()) + " inputs, this cell has " +
                       std::to_string(2 * synapse_segments));
    std::vector<float> times;
    std::vector<std::int32_t> channels;
    d.read_inputs(simulation, times, channels);
    for (std::size_t i = 0; i < times.size(); ++i) r.events.push_back({static_cast<double>(times[i]), channels[i]});
    r.duration_ms = d.header().duration_ms;
    r.description = "simulation " + std::to_string(simulation) + " of a neurotwin dataset";
  }
  return r;
}

}  // namespace

int run_replay(Context& ctx, const std::string& inputs_path, std::size_t simulation, const std::string& output_in,
               bool record_segments) {
  const ExperimentConfig& c = ctx.config;
  const BuiltCell built = build_cell(c);
  const CellModel& cell = built.cell;
  RecordedInputs in = read_inputs(inputs_path, simulation, cell.input_count() / 2);
  const double duration = in.duration_ms > 0 ? in.duration_ms : c.simulation.duration_ms;
  const std::string output =
      output_in.empty() ? (fs::path(c.output_dir) / (fs::path(inputs_path).stem().string() + "-replay.h5")).string() : output_in;
  if (fs::exists(output) && !ctx.overwrite) throw InputError(output + ": exists; use --overwrite to replace it");
  fs::create_directories(fs::absolute(output).parent_path());

  const double dt = c.simulation.dt_ms;
  Simulation sim(cell, dt);
  sim.set_voltage_scheme(voltage_scheme(c.simulation));
  const std::size_t event_count = in.events.size();
  sim.set_inputs(std::move(in.events));
  sim.initialize();
  const int soma = cell.soma_node();
  const int dendrite = dendrite_node(cell, built.record_dendrite);
  const auto steps = static_cast<std::size_t>(std::llround(duration / dt));
  std::vector<double> v_soma{sim.voltage_mV(soma)}, v_dendrite;
  if (dendrite >= 0) v_dendrite.push_back(sim.voltage_mV(dendrite));
  TraceRecorder soma8(soma, 0.125, static_cast<std::size_t>(std::llround(duration * 8)));
  soma8.sample(sim);
  // --record segments: every input segment (the input channels' order) at 1 sample/ms.
  std::vector<int> segment_nodes;
  if (record_segments)
    for (int segment : cell.geometry.dendritic_segments())
      segment_nodes.push_back(cell.geometry.segments[static_cast<std::size_t>(segment)].node);
  const auto segment_samples = static_cast<std::size_t>(std::llround(duration));
  MultiTraceRecorder segments(segment_nodes, 1.0, segment_samples);
  if (record_segments) segments.sample(sim);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < steps; ++k) {
    sim.step();
    v_soma.push_back(sim.voltage_mV(soma));
    if (dendrite >= 0) v_dendrite.push_back(sim.voltage_mV(dendrite));
    soma8.sample(sim);
    if (record_segments) segments.sample(sim);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Output spikes: local maxima above -25 mV of the solver's own trace, and of the 8/ms trace (spec §10.3).
  const std::vector<double> spikes = detect_spikes(v_soma, dt);
  const std::vector<double> spikes8 = detect_spikes(soma8.values(), 0.125);

  ReferenceLayoutFile file;
  file.float32.emplace_back("soma_v_mV", std::vector<float>(v_soma.begin(), v_soma.end()));
  if (dendrite >= 0) {
    file.float32.emplace_back("nexus_v_mV", std::vector<float>(v_dendrite.begin(), v_dendrite.end()));
    file.dataset_text_attributes.push_back({"nexus_v_mV", {"location", built.record_dendrite}});
  }
  if (record_segments) {
    file.float32_matrices.push_back({"dendritic_v_mV", segment_nodes.size(), segment_samples, segments.take()});
    file.dataset_text_attributes.push_back(
        {"dendritic_v_mV", {"rows", "input segments in the order of the input channels (basal, then apical)"}});
    file.dataset_text_attributes.push_back({"dendritic_v_mV", {"columns", "t = 0, 1, ... ms"}});
  }
  file.float64.emplace_back("spike_times_ms", spikes);
  file.float64.emplace_back("spike_times_8perms_ms", spikes8);
  if (in.reference) {  // the replayed events: the output is a complete reference-layout file (evaluate --reference)
    file.int64.emplace_back("inputs/ex_segment", in.reference->ex_segment);
    file.float64.emplace_back("inputs/ex_time_ms", in.reference->ex_time_ms);
    file.int64.emplace_back("inputs/inh_segment", in.reference->inh_segment);
    file.float64.emplace_back("inputs/inh_time_ms", in.reference->inh_time_ms);
  }
  file.text_attributes = {
      {"inputs_file", fs::absolute(inputs_path).string()},
      {"inputs", in.description},
      {"cell", cell.name},
      {"cell_model", c.cell.model},
      {"morphology_sha256", built.morphology_sha256},
      {"method", c.simulation.scheme == "crank_nicolson" ? "fixed step, Crank-Nicolson (NEURON secondorder 2)"
                                                        : "fixed step, backward Euler (NEURON secondorder 0)"},
      {"rate_tables", c.simulation.rate_tables ? "true" : "false"},
      {"simulator", std::string("neurotwin ") + kVersion + " (" + kBuild + ")"}};
  file.number_attributes = {{"dt_ms", dt}, {"sample_dt_ms", dt}, {"duration_ms", duration}, {"wall_s", wall}};
  write_reference_layout(output, file);
  std::printf("%s: %zu input events replayed (%s) on %s; %.0f ms, %zu output spikes; %.2f wall s per simulated s\n",
              output.c_str(), event_count, in.description.c_str(), cell.name.c_str(), duration, spikes.size(),
              wall / (duration / 1000.0));
  return 0;
}

}  // namespace neurotwin::cli
