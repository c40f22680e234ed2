#include "builtin_dataset.hpp"

#include "neurotwin/datasets/dataset_generation.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"

namespace neurotwin::test {

void write_builtin_dataset(const std::string& path, std::uint64_t seed, double duration_ms, std::int64_t first,
                           std::int64_t count, bool segment_voltages) {
  const CellModel cell = build_simple_cell(builtin_pyramidal_morphology(), SimpleBiophysics{});
  InputProtocolConfig pc;
  pc.duration_ms = duration_ms;
  const InputProtocol protocol(pc, cell, seed);
  RunOptions run;
  run.duration_ms = duration_ms;
  if (segment_voltages) run.segment_nodes = segment_table_nodes(cell);
  DatasetHeader h;
  h.split = "train";
  h.seed = seed;
  h.duration_ms = duration_ms;
  h.segments = segment_table(cell);
  h.first_simulation = first;
  h.simulation_count = count;
  h.store_segment_voltages = segment_voltages;
  generate_dataset(path, cell, protocol, h, run, 2);
}

}  // namespace neurotwin::test
