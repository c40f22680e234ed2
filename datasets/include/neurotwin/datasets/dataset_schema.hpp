#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace neurotwin {

// HDF5 dataset schema, documented in datasets/SCHEMA.md.
inline constexpr int kDatasetSchemaVersion = 1;

using AttributeValue = std::variant<std::int64_t, double, std::string>;
struct Attribute {
  std::string name;
  AttributeValue value;
};

// One row of the input segment table: where input channels s and n + s sit.
struct SegmentInfo {
  std::string section;  // NEURON-style name, e.g. "apic[3]"
  std::string tree;     // "basal" or "apical"
  double x = 0.5;
  double length_um = 0;
  double diameter_um = 0;
  double area_um2 = 0;
  double distance_um = 0;  // path distance from the soma centre
};

// Everything a file holds besides the per-simulation data.
struct DatasetHeader {
  std::string split;                 // "train", "valid", "test"
  std::uint64_t seed = 0;
  std::int64_t first_simulation = 0;  // global simulation indices [first, first + count)
  std::int64_t simulation_count = 0;
  // The whole split this file belongs to (a shard covers part of it); equal
  // to first_simulation / simulation_count for an unsharded file (-1: the same).
  std::int64_t split_first_simulation = -1;
  std::int64_t split_simulation_count = -1;
  int shard_index = 0, shard_count = 1;  // shard attributes are written only when shard_count > 1
  double duration_ms = 0;
  bool store_soma_8perms = true;
  std::string dendrite_location;     // e.g. "apic[5](0.5)", empty if none
  bool store_segment_voltages = false;  // dendritic_v_mV: every input segment, float16
  std::vector<SegmentInfo> segments;
  std::vector<Attribute> attributes;  // cell, protocol, simulation parameters...
};

// One simulation's inputs and outputs.
struct SimulationRecord {
  std::int64_t simulation_index = 0;
  double rate_change_interval_ms = 0;
  double smoothing_sigma_ms = 0;
  std::vector<float> input_times_ms;     // sorted
  std::vector<std::int32_t> input_channels;
  std::vector<float> soma_v_mV;          // 1 sample/ms
  std::vector<float> soma_v_8perms_mV;   // 8 samples/ms (if stored)
  std::vector<float> dendrite_v_mV;      // 1 sample/ms (if recorded)
  std::vector<std::uint16_t> segment_v_f16;  // [S x T] float16 bits, 1 sample/ms (if stored)
  std::vector<double> output_spike_times_ms;
};

}  // namespace neurotwin
