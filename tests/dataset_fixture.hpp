#pragma once
// The small dataset setting shared by the dataset tests: the built-in cell,
// 300-ms simulations, the recorded dendrite at segment 50, seed 11.
#include "neurotwin/datasets/dataset_generation.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"

namespace neurotwin::test {

struct DatasetFixture {
  CellModel cell = build_simple_cell(builtin_pyramidal_morphology(), SimpleBiophysics{});
  InputProtocolConfig protocol_config;
  RunOptions run;
  // segment_voltages: record every input segment (dendritic_v_mV) too.
  explicit DatasetFixture(bool segment_voltages = false) {
    protocol_config.duration_ms = 300;
    run.duration_ms = 300;
    run.dendrite_node = cell.geometry.segments[50].node;
    if (segment_voltages) run.segment_nodes = segment_table_nodes(cell);
  }
  DatasetHeader header(std::int64_t first, std::int64_t count, std::int64_t split_first = -1,
                       std::int64_t split_count = -1) const {
    DatasetHeader h;
    h.split = "train";
    h.seed = 11;
    h.first_simulation = first;
    h.simulation_count = count;
    h.split_first_simulation = split_first;
    h.split_simulation_count = split_count;
    h.duration_ms = 300;
    h.dendrite_location = "dend[9](0.5)";
    h.store_segment_voltages = !run.segment_nodes.empty();
    h.segments = segment_table(cell);
    h.attributes = {{"protocol.jitter_ms", 20.0}, {"cell.name", std::string("builtin")}, {"answer", std::int64_t{42}}};
    return h;
  }
};

}  // namespace neurotwin::test
