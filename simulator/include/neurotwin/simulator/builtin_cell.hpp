#pragma once
#include "neurotwin/simulator/morphology.hpp"

namespace neurotwin {

// The embedded default cell: a small, pyramidal-like morphology generated from
// fixed geometric rules (no file needed). A spherical soma (20 µm), four basal
// dendrites that bifurcate twice, and an apical trunk with two oblique
// branches and a tuft that bifurcates twice. Lengths and tapering diameters
// are in the range of cortical pyramidal cells; coordinates are rounded to
// 1 nm so that an SWC round trip is exact. With a 40 µm segment rule it has
// 203 dendritic segments (124 basal, 79 apical), hence 406 synaptic inputs.
Morphology builtin_pyramidal_morphology();

}  // namespace neurotwin
