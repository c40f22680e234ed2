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

// Generates inputs for simulation `index`, simulates the cell, and packs the
// record. Depends only on (cell, protocol seed, index, run options).
SimulationRecord simulate_record(const CellModel& cell, const InputProtocol& protocol, std::int64_t index,
                                 const RunOptions& run, bool keep_soma_8perms);

// Simulates header.simulation_count simulations starting at
// header.first_simulation on `threads` threads and writes them, in order, to
// `path` (complete only when all are written). The content does not depend on
// the thread count.
void generate_dataset(const std::string& path, const CellModel& cell, const InputProtocol& protocol,
                      const DatasetHeader& header, const RunOptions& run, int threads,
                      const ProgressCallback& progress = {});

}  // namespace neurotwin
