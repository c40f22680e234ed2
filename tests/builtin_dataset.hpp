#pragma once
#include <cstdint>
#include <string>

namespace neurotwin::test {

// Writes simulations [first, first + count) of the built-in cell under the
// default NMDA protocol (seed, duration_ms) as a complete dataset file; with
// segment_voltages, every input segment's voltage too.
void write_builtin_dataset(const std::string& path, std::uint64_t seed, double duration_ms, std::int64_t first,
                           std::int64_t count, bool segment_voltages);

}  // namespace neurotwin::test
