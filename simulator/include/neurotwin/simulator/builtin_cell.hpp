#pragma once
#include <string>

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

// A morphology with the site to record as the "dendrite" trace.
struct BuiltinMorphology {
  Morphology morphology;
  std::string recording_site;  // e.g. the nexus, "apic[12](0.9)"
};

// The embedded stylized L5PC: a 23 x 15.6 µm soma, seven basal trees that
// bifurcate twice (301 segments), an apical trunk of seven 100-µm sections
// with two obliques at each junction, and a three-level tuft from the nexus
// at 700 µm (321 apical segments; longest apical path 1330 µm); no axon (the
// L5PC description adds its two replacement cylinders). It carries the Hay
// biophysics (cell model l5pc) when no cell1.asc is at hand; it is not a
// reconstruction, so its numbers differ from the real cell's. recording_site
// is the nexus.
BuiltinMorphology builtin_l5pc_morphology();

}  // namespace neurotwin
