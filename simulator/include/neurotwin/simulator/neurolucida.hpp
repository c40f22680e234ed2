#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "neurotwin/simulator/morphology.hpp"

namespace neurotwin {

// Reads a Neurolucida V3 ASC file the way NEURON's Import3d_Neurolucida3
// does (spec §2.2-2.3): contours other than CellBody / Cell Body / Soma are
// ignored; the soma contour becomes one 21-point section along its principal
// axis (contourcenter + contour2centroid); each (Axon), (Dendrite) or
// (Apical) tree becomes sections in depth-first pre-order, one per branch, its
// root attached at soma(0.5); a child branch starts with its parent's last
// point (with the child's first diameter) unless its first point is that
// point; markers, properties and ending words are skipped. Errors (unbalanced
// parentheses, a malformed point, a zero diameter, no soma contour) throw
// InputError with the file and line.
Morphology read_neurolucida(const std::string& path);
Morphology parse_neurolucida(std::istream& in, const std::string& origin);

// The soma section Import3d makes from a closed contour (x, y, z per point).
std::vector<Point3> soma_from_contour(const std::vector<Point3>& contour);

}  // namespace neurotwin
