#pragma once
// `neurotwin simulate --inputs FILE` as a library: recorded input events (a NEURON reference-layout
// file or one simulation of a neurotwin dataset) re-simulated on a cell, and the run written in the
// reference layout (reference_file.hpp) so that `evaluate --reference` and h5py read it like NEURON's.
#include <optional>
#include <string>
#include <vector>

#include "neurotwin/datasets/reference_file.hpp"
#include "neurotwin/simulator/cell_model.hpp"
#include "neurotwin/simulator/simulation.hpp"

namespace neurotwin {

struct RecordedInputs {
  std::vector<InputEvent> events;  // input channel s < S: excitatory on synapse segment s; S + s inhibitory
  double duration_ms = -1;         // from the file, -1 when it does not say
  std::string description;         // "reference-layout inputs" or "simulation k of a neurotwin dataset"
  std::optional<ReferenceRecording> reference;  // a reference-layout file's events, copied into the replay
};

// The events of a reference-layout file (`simulation` ignored) or of simulation `simulation` of a
// neurotwin dataset, for a cell with `synapse_segments` synapse segments. Throws InputError naming
// the file: an event on a segment the cell lacks, a dataset of another input count, a simulation out
// of range.
RecordedInputs read_recorded_inputs(const std::string& path, std::size_t simulation, std::size_t synapse_segments);

struct ReplayOptions {
  double dt_ms = 0;               // the configuration's step (no default here: experiment_config's is the one)
  VoltageScheme scheme = VoltageScheme::crank_nicolson;
  double duration_ms = 0;
  int dendrite_node = -1;         // its trace at every step, when >= 0
  bool record_segments = false;   // every input segment's voltage at 1 sample/ms
};

struct ReplayRun {
  std::vector<double> soma_v_mV, dendrite_v_mV;  // at every solver step from t = 0
  std::vector<float> soma_8perms_v_mV;           // at 8 samples/ms (spec §10.3)
  std::vector<int> segment_nodes;                // record_segments: the input segments' nodes, in channel order
  std::vector<float> segment_v_mV;               // [segment, ms] row-major
  std::size_t segment_samples = 0;
  std::vector<double> spike_times_ms, spike_times_8perms_ms;  // local maxima above -25 mV of each trace
  std::size_t event_count = 0;
  double wall_s = 0;                              // the time stepping took
};

// Simulates `cell` with `events` from t = 0 to options.duration_ms. Throws InputError unless dt_ms > 0
// and duration_ms >= 0.
ReplayRun replay_inputs(const CellModel& cell, std::vector<InputEvent> events, const ReplayOptions& options);

// What the replay file says about how it was made.
struct ReplayDescription {
  std::string inputs_file;        // absolute path
  std::string dendrite_location;  // the dendritic trace's location (when recorded)
  std::string cell_model, morphology_sha256;
  bool rate_tables = false;
};

// Writes the run in the reference layout (soma_v_mV, nexus_v_mV, dendritic_v_mV when segments were
// recorded, spike_times_ms, spike_times_8perms_ms, a reference file's inputs/ group, and attributes
// saying what was replayed on which cell and how; README, "Replaying recorded inputs") to
// <path>.partial, renamed when complete. Throws InputError naming the file when it cannot be written.
void write_replay_file(const std::string& path, const CellModel& cell, const RecordedInputs& inputs,
                       const ReplayOptions& options, const ReplayRun& run, const ReplayDescription& description);

}  // namespace neurotwin
