// `neurotwin simulate --inputs FILE`: re-simulates recorded input events — a
// NEURON reference file (inputs/ex_segment, ex_time_ms, inh_segment,
// inh_time_ms) or one simulation of a neurotwin dataset — and writes the soma
// and dendrite voltage at every solver step and the output spikes.
#include <H5Cpp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

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

void write_vector(H5::H5File& f, const std::string& name, const std::vector<double>& v, const H5::PredType& file_type) {
  const hsize_t n[1] = {v.size()};
  H5::DataSpace space(1, n);
  H5::DataSet ds = f.createDataSet(name, file_type, space);
  if (!v.empty()) ds.write(v.data(), H5::PredType::NATIVE_DOUBLE);
}

void write_attribute(H5::H5Object& o, const std::string& name, double value) {
  o.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR)).write(H5::PredType::NATIVE_DOUBLE, &value);
}
void write_attribute(H5::H5Object& o, const std::string& name, const std::string& value) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  o.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

}  // namespace

int run_replay(Context& ctx, const std::string& inputs_path, std::size_t simulation, const std::string& output_in) {
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
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < steps; ++k) {
    sim.step();
    v_soma.push_back(sim.voltage_mV(soma));
    if (dendrite >= 0) v_dendrite.push_back(sim.voltage_mV(dendrite));
    soma8.sample(sim);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Output spikes: local maxima above -25 mV of the solver's own trace, and of the 8/ms trace (spec §10.3).
  const std::vector<double> spikes = detect_spikes(v_soma, dt);
  const std::vector<double> spikes8 = detect_spikes(soma8.values(), 0.125);

  const std::string partial = output + ".partial";
  try {
    H5::H5File f(partial, H5F_ACC_TRUNC);
    write_vector(f, "soma_v_mV", v_soma, H5::PredType::NATIVE_FLOAT);
    if (dendrite >= 0) {
      write_vector(f, "nexus_v_mV", v_dendrite, H5::PredType::NATIVE_FLOAT);
      H5::DataSet ds = f.openDataSet("nexus_v_mV");
      write_attribute(ds, "location", built.record_dendrite);
    }
    write_vector(f, "spike_times_ms", spikes, H5::PredType::NATIVE_DOUBLE);
    write_vector(f, "spike_times_8perms_ms", spikes8, H5::PredType::NATIVE_DOUBLE);
    H5::Group root = f.openGroup("/");
    write_attribute(root, "inputs_file", fs::absolute(inputs_path).string());
    write_attribute(root, "inputs", in.description);
    write_attribute(root, "cell", cell.name);
    write_attribute(root, "cell_model", c.cell.model);
    write_attribute(root, "morphology_sha256", built.morphology_sha256);
    write_attribute(root, "method", c.simulation.scheme == "crank_nicolson"
                                        ? std::string("fixed step, Crank-Nicolson (NEURON secondorder 2)")
                                        : std::string("fixed step, backward Euler (NEURON secondorder 0)"));
    write_attribute(root, "rate_tables", std::string(c.simulation.rate_tables ? "true" : "false"));
    write_attribute(root, "dt_ms", dt);
    write_attribute(root, "sample_dt_ms", dt);
    write_attribute(root, "duration_ms", duration);
    write_attribute(root, "wall_s", wall);
    write_attribute(root, "simulator", std::string("neurotwin ") + kVersion + " (" + kBuild + ")");
    f.close();
  } catch (const H5::Exception& e) {
    throw InputError(partial + ": cannot write: " + e.getDetailMsg());
  }
  fs::rename(partial, output);
  std::printf("%s: %zu input events replayed (%s) on %s; %.0f ms, %zu output spikes; %.2f wall s per simulated s\n",
              output.c_str(), event_count, in.description.c_str(), cell.name.c_str(), duration, spikes.size(),
              wall / (duration / 1000.0));
  return 0;
}

}  // namespace neurotwin::cli
