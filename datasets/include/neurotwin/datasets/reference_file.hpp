#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neurotwin {

// One run in the NEURON reference layout (../shared/reference/README.md):
// input events per synapse segment, the soma trace on a uniform grid, and the
// output spike times. Written by NEURON scripts and by `neurotwin simulate
// --inputs` (which copies the inputs of a reference-layout file it replays).
struct ReferenceRecording {
  std::string path;
  bool has_inputs = false;
  std::vector<std::int64_t> ex_segment, inh_segment;  // synapse segment of each event
  std::vector<double> ex_time_ms, inh_time_ms;
  std::vector<float> soma_v_mV;  // at t = k sample_dt_ms
  double sample_dt_ms = 0;
  double duration_ms = -1;       // -1 when the file does not say
  std::vector<double> spike_times_ms;         // of the solver's own trace
  std::vector<double> spike_times_8perms_ms;  // of the 8 samples/ms trace (empty when absent)
  bool has_spike_times_8perms = false;
  // A `neurotwin simulate --inputs` replay: the cell preset or file it simulated and the file whose
  // inputs it replayed (both empty for NEURON's files).
  std::string replay_cell_model, replay_inputs_file;

  // The spike times neurotwin datasets use (spec §10.3: the 8 samples/ms
  // rule) when the file has them, else the solver's own.
  const std::vector<double>& dataset_spike_times_ms() const {
    return has_spike_times_8perms ? spike_times_8perms_ms : spike_times_ms;
  }
  // The soma trace at t = 0, 1, ..., bins - 1 ms (the sample nearest each); throws InputError naming the file
  // when the trace is shorter.
  std::vector<float> soma_at_whole_ms(std::size_t bins) const;
};

// True when `path` is an HDF5 file with the reference layout's inputs group.
bool is_reference_file(const std::string& path);

// Reads a reference-layout file. With require_traces the soma trace, its
// sample_dt_ms and spike_times_ms must be there; without, only what exists is
// read (a replay input needs just the events). Throws InputError naming the
// file and the missing or malformed dataset.
ReferenceRecording read_reference_file(const std::string& path, bool require_traces = true);

// A file in the reference layout's spirit: 1-D datasets and root attributes,
// written to <path>.partial and renamed when complete.
struct ReferenceLayoutFile {
  std::vector<std::pair<std::string, std::vector<float>>> float32;   // e.g. soma_v_mV
  std::vector<std::pair<std::string, std::vector<double>>> float64;  // e.g. spike_times_ms
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> int64;  // e.g. inputs/ex_segment
  // Row-major float32 matrices [rows, columns], e.g. dendritic_v_mV [segments, ms] (gzip-compressed).
  struct Matrix {
    std::string name;
    std::size_t rows = 0, columns = 0;
    std::vector<float> values;
  };
  std::vector<Matrix> float32_matrices;
  std::vector<std::pair<std::string, std::string>> text_attributes;
  std::vector<std::pair<std::string, double>> number_attributes;
  // Attributes of one dataset (e.g. the location of a recorded trace).
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> dataset_text_attributes;
};
// Throws InputError naming the file when it cannot be written.
void write_reference_layout(const std::string& path, const ReferenceLayoutFile& file);

}  // namespace neurotwin
