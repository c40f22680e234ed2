#pragma once
#include <functional>
#include <string>

#include "neurotwin/datasets/dataset_schema.hpp"
#include "neurotwin/datasets/input_protocol.hpp"
#include "neurotwin/simulator/recording.hpp"

namespace neurotwin {

using ProgressCallback = std::function<void(std::size_t done, std::size_t total)>;

// The cell's synapse segments as the dataset's segment table (spec §8.1 order).
std::vector<SegmentInfo> segment_table(const CellModel& cell);
// The cable nodes of those segments, in the same order (for
// RunOptions::segment_nodes, i.e. dendritic_v_mV).
std::vector<int> segment_table_nodes(const CellModel& cell);

// Generates inputs for simulation `index`, simulates the cell, and packs the
// record. Depends only on (cell, protocol seed, index, run options). Voltages
// of run.segment_nodes are kept as float16 bits.
SimulationRecord simulate_record(const CellModel& cell, const InputProtocol& protocol, std::int64_t index,
                                 const RunOptions& run, bool keep_soma_8perms);
// The same for several simulations, run in lockstep as the lanes of one
// Simulation (each record equals simulate_record's for its index).
std::vector<SimulationRecord> simulate_records(const CellModel& cell, const InputProtocol& protocol,
                                               const std::vector<std::int64_t>& indices, const RunOptions& run,
                                               bool keep_soma_8perms);

struct GenerationReport {
  std::size_t resumed = 0;    // simulations taken from an earlier, interrupted run
  std::size_t simulated = 0;  // simulations run now
};

// Simulates header.simulation_count simulations starting at
// header.first_simulation on `threads` threads and writes them, in order, to
// `path` (complete only when all are written). Each thread advances
// `lockstep_lanes` simulations at a time in lockstep (simulate_records). The
// content depends on neither the thread count nor the lane count.
//
// Resumable: every finished simulation is also saved to
// "<path>.parts/sim-<index>.part" (see simulation_part.hpp) until the file is
// complete. Running again after a kill reuses those parts, so only the
// simulations that were in flight are lost, and the file equals that of an
// uninterrupted run. Parts made with other settings (a different header or
// run options) are discarded. The parts directory is removed once `path` is
// complete.
GenerationReport generate_dataset(const std::string& path, const CellModel& cell, const InputProtocol& protocol,
                                  const DatasetHeader& header, const RunOptions& run, int threads,
                                  const ProgressCallback& progress = {}, std::size_t lockstep_lanes = 1);

}  // namespace neurotwin
