#pragma once
#include <optional>
#include <string>

#include "neurotwin/datasets/dataset_schema.hpp"

namespace neurotwin {

// One finished simulation saved on its own while a dataset file is being
// generated, so that a killed run loses only the simulations in flight.
// Format (machine-local, never a dataset): magic "NTPART01", raw size,
// compressed size, CRC-32 of the raw bytes, zlib-compressed record. Written to
// a temporary name and renamed, so a part file is whole or absent.
void save_simulation_part(const std::string& path, const SimulationRecord& record);

// The record in `path`, or nothing if the file is absent, truncated or fails
// its checksum (the caller simulates again).
std::optional<SimulationRecord> load_simulation_part(const std::string& path);

}  // namespace neurotwin
