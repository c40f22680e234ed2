// `neurotwin simulate --inputs FILE`: re-simulates recorded input events — a
// NEURON reference file (inputs/ex_segment, ex_time_ms, inh_segment,
// inh_time_ms) or one simulation of a neurotwin dataset — and writes the soma
// and dendrite voltage at every solver step and the output spikes
// (neurotwin/datasets/replay.hpp).
#include <cstdio>
#include <filesystem>

#include "commands.hpp"
#include "neurotwin/datasets/replay.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin::cli {

namespace fs = std::filesystem;

int run_replay(Context& ctx, const std::string& inputs_path, std::size_t simulation, const std::string& output_in,
               bool record_segments) {
  const ExperimentConfig& c = ctx.config;
  const BuiltCell built = build_cell(c);
  const CellModel& cell = built.cell;
  RecordedInputs in = read_recorded_inputs(inputs_path, simulation, cell.input_count() / 2);
  const std::string output =
      output_in.empty() ? (fs::path(c.output_dir) / (fs::path(inputs_path).stem().string() + "-replay.h5")).string() : output_in;
  if (fs::exists(output) && !ctx.overwrite) throw InputError(output + ": exists; use --overwrite to replace it");
  fs::create_directories(fs::absolute(output).parent_path());

  ReplayOptions options;
  options.dt_ms = c.simulation.dt_ms;
  options.scheme = voltage_scheme(c.simulation);
  options.duration_ms = in.duration_ms > 0 ? in.duration_ms : c.simulation.duration_ms;
  options.dendrite_node = dendrite_node(cell, built.record_dendrite);
  options.record_segments = record_segments;
  const ReplayRun run = replay_inputs(cell, std::move(in.events), options);
  ReplayDescription description;
  description.inputs_file = fs::absolute(inputs_path).string();
  description.dendrite_location = built.record_dendrite;
  description.cell_model = c.cell.model;
  description.morphology_sha256 = built.morphology_sha256;
  description.rate_tables = c.simulation.rate_tables;
  write_replay_file(output, cell, in, options, run, description);
  std::printf("%s: %zu input events replayed (%s) on %s; %.0f ms, %zu output spikes; %.2f wall s per simulated s\n",
              output.c_str(), run.event_count, in.description.c_str(), cell.name.c_str(), options.duration_ms,
              run.spike_times_ms.size(), run.wall_s / (options.duration_ms / 1000.0));
  return 0;
}

}  // namespace neurotwin::cli
