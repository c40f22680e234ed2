#pragma once
#include <iosfwd>
#include <string>

#include "neurotwin/simulator/morphology.hpp"

namespace neurotwin {

// Reads an SWC file into sections the way NEURON's Import3d_SWC_read does:
// - a one-point soma, or the NeuroMorpho three-point soma, is a sphere,
//   represented as a cylinder with length = diameter; its children attach at
//   soma(0.5) "by wire" (their 3-D points start at their own first sample);
// - a multi-point soma is an unbranched chain; children attach at x = 0 (first
//   point), 1 (last point) or 0.5 (interior, by wire);
// - every other section starts with its parent's last sample (coordinates and
//   diameter), then its own samples;
// - a new section begins at a branch point, at a type change, and where a
//   sample's parent is not the sample before it.
// Malformed input (bad line, duplicate id, missing parent, cycle, radius <= 0,
// no soma root, several roots) throws InputError naming the file and line.
Morphology read_swc(const std::string& path);
Morphology parse_swc(std::istream& in, const std::string& origin);

// Writes a morphology as SWC so that read_swc returns the same sections. The
// soma must be a sphere (three collinear points, equal diameters, length =
// diameter; written as one sample) or a chain; child sections other than
// those on a sphere soma must start at their parent's last point.
void write_swc(const Morphology& morphology, std::ostream& out);

}  // namespace neurotwin
