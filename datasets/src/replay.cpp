#include "neurotwin/datasets/replay.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>

#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/recording.hpp"
#include "neurotwin/version.hpp"

namespace neurotwin {

RecordedInputs read_recorded_inputs(const std::string& path, std::size_t simulation, std::size_t synapse_segments) {
  RecordedInputs r;
  if (is_reference_file(path)) {
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
    return r;
  }
  const DatasetReader d(path);  // a neurotwin dataset
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
  return r;
}

ReplayRun replay_inputs(const CellModel& cell, std::vector<InputEvent> events, const ReplayOptions& o) {
  if (!(o.dt_ms > 0) || !(o.duration_ms >= 0))
    throw InputError("replay: need dt_ms > 0 and duration_ms >= 0 (got " + std::to_string(o.dt_ms) + " and " +
                     std::to_string(o.duration_ms) + ")");
  ReplayRun run;
  Simulation sim(cell, o.dt_ms);
  sim.set_voltage_scheme(o.scheme);
  run.event_count = events.size();
  sim.set_inputs(std::move(events));
  sim.initialize();
  const int soma = cell.soma_node();
  const auto steps = static_cast<std::size_t>(std::llround(o.duration_ms / o.dt_ms));
  run.soma_v_mV.push_back(sim.voltage_mV(soma));
  if (o.dendrite_node >= 0) run.dendrite_v_mV.push_back(sim.voltage_mV(o.dendrite_node));
  TraceRecorder soma8(soma, 0.125, static_cast<std::size_t>(std::llround(o.duration_ms * 8)));
  soma8.sample(sim);
  // Every input segment (the input channels' order) at 1 sample/ms.
  if (o.record_segments)
    for (int segment : cell.geometry.dendritic_segments())
      run.segment_nodes.push_back(cell.geometry.segments[static_cast<std::size_t>(segment)].node);
  run.segment_samples = o.record_segments ? static_cast<std::size_t>(std::llround(o.duration_ms)) : 0;
  MultiTraceRecorder segments(run.segment_nodes, 1.0, run.segment_samples);
  if (o.record_segments) segments.sample(sim);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < steps; ++k) {
    sim.step();
    run.soma_v_mV.push_back(sim.voltage_mV(soma));
    if (o.dendrite_node >= 0) run.dendrite_v_mV.push_back(sim.voltage_mV(o.dendrite_node));
    soma8.sample(sim);
    if (o.record_segments) segments.sample(sim);
  }
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.record_segments) run.segment_v_mV = segments.take();
  run.soma_8perms_v_mV = soma8.values();
  // Output spikes: local maxima above -25 mV of the solver's own trace, and of the 8/ms trace (spec §10.3).
  run.spike_times_ms = detect_spikes(run.soma_v_mV, o.dt_ms);
  run.spike_times_8perms_ms = detect_spikes(run.soma_8perms_v_mV, 0.125);
  return run;
}

void write_replay_file(const std::string& path, const CellModel& cell, const RecordedInputs& inputs,
                       const ReplayOptions& o, const ReplayRun& run, const ReplayDescription& description) {
  ReferenceLayoutFile file;
  file.float32.emplace_back("soma_v_mV", std::vector<float>(run.soma_v_mV.begin(), run.soma_v_mV.end()));
  if (!run.dendrite_v_mV.empty()) {
    file.float32.emplace_back("nexus_v_mV", std::vector<float>(run.dendrite_v_mV.begin(), run.dendrite_v_mV.end()));
    file.dataset_text_attributes.push_back({"nexus_v_mV", {"location", description.dendrite_location}});
  }
  if (o.record_segments) {
    file.float32_matrices.push_back({"dendritic_v_mV", run.segment_nodes.size(), run.segment_samples, run.segment_v_mV});
    file.dataset_text_attributes.push_back(
        {"dendritic_v_mV", {"rows", "input segments in the order of the input channels (basal, then apical)"}});
    file.dataset_text_attributes.push_back({"dendritic_v_mV", {"columns", "t = 0, 1, ... ms"}});
  }
  file.float64.emplace_back("spike_times_ms", run.spike_times_ms);
  file.float64.emplace_back("spike_times_8perms_ms", run.spike_times_8perms_ms);
  if (inputs.reference) {  // the replayed events: the output is a complete reference-layout file (evaluate --reference)
    file.int64.emplace_back("inputs/ex_segment", inputs.reference->ex_segment);
    file.float64.emplace_back("inputs/ex_time_ms", inputs.reference->ex_time_ms);
    file.int64.emplace_back("inputs/inh_segment", inputs.reference->inh_segment);
    file.float64.emplace_back("inputs/inh_time_ms", inputs.reference->inh_time_ms);
  }
  file.text_attributes = {
      {"inputs_file", description.inputs_file},
      {"inputs", inputs.description},
      {"cell", cell.name},
      {"cell_model", description.cell_model},
      {"morphology_sha256", description.morphology_sha256},
      {"method", o.scheme == VoltageScheme::crank_nicolson ? "fixed step, Crank-Nicolson (NEURON secondorder 2)"
                                                          : "fixed step, backward Euler (NEURON secondorder 0)"},
      {"rate_tables", description.rate_tables ? "true" : "false"},
      {"simulator", std::string("neurotwin ") + kVersion + " (" + kBuild + ")"}};
  file.number_attributes = {
      {"dt_ms", o.dt_ms}, {"sample_dt_ms", o.dt_ms}, {"duration_ms", o.duration_ms}, {"wall_s", run.wall_s}};
  write_reference_layout(path, file);
}

}  // namespace neurotwin
