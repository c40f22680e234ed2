#pragma once
#include <map>
#include <string>

#include "neurotwin/simulator/cell_description.hpp"

namespace neurotwin::cli {

// Cell files (YAML, documented in experiments/cells/l5pc.yaml): biophysics
// per region with distance rules, synapses, axon replacement. `source` is a
// preset name (l5pc, l5pc-ampa, l5pc-ampa-sk: the files under experiments/cells, embedded
// in the binary) or a path. A file may start from another with
// `extends: <preset or path>` and override any key. Unknown keys, wrong
// types and out-of-range values are InputErrors naming the file, the line
// and the key.
CellDescription load_cell_description(const std::string& source);

// Preset name -> YAML text (generated from experiments/cells/*.yaml).
const std::map<std::string, std::string>& embedded_cell_files();

}  // namespace neurotwin::cli
