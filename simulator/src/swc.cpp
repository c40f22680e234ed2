#include "neurotwin/simulator/swc.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {
namespace {

struct Sample {
  long id = 0;
  int type = 0;
  Point3 point;
  long parent_id = -1;
  int line = 0;
  int parent = -1;  // index into the ordered sample list
  std::vector<int> children;
};

SectionType section_type(int swc_type) {
  switch (swc_type) {
    case 1: return SectionType::soma;
    case 2: return SectionType::axon;
    case 3: return SectionType::basal;
    case 4: return SectionType::apical;
    default: return SectionType::custom;
  }
}

std::vector<Sample> read_samples(std::istream& in, const std::string& origin) {
  std::vector<Sample> samples;
  std::string text;
  int line_number = 0;
  while (std::getline(in, text)) {
    ++line_number;
    const auto hash = text.find('#');
    if (hash != std::string::npos) text.erase(hash);
    std::istringstream fields(text);
    std::vector<std::string> tokens;
    for (std::string token; fields >> token;) tokens.push_back(token);
    if (tokens.empty()) continue;
    if (tokens.size() != 7)
      throw InputError(located(origin, line_number,
                               "expected 7 fields (id type x y z radius parent), found " +
                                   std::to_string(tokens.size())));
    double values[7];
    for (int k = 0; k < 7; ++k) {
      try {
        std::size_t used = 0;
        values[k] = std::stod(tokens[static_cast<std::size_t>(k)], &used);
        if (used != tokens[static_cast<std::size_t>(k)].size()) throw std::invalid_argument("");
      } catch (const std::exception&) {
        throw InputError(located(origin, line_number,
                                 "field " + std::to_string(k + 1) + " ('" +
                                     tokens[static_cast<std::size_t>(k)] + "') is not a number"));
      }
      if (!std::isfinite(values[k]))
        throw InputError(located(origin, line_number, "field " + std::to_string(k + 1) + " is not finite"));
    }
    Sample s;
    s.id = std::lround(values[0]);
    s.type = static_cast<int>(std::lround(values[1]));
    s.parent_id = std::lround(values[6]);
    if (static_cast<double>(s.id) != values[0] || static_cast<double>(s.parent_id) != values[6] ||
        static_cast<double>(s.type) != values[1])
      throw InputError(located(origin, line_number, "id, type and parent must be integers"));
    if (s.id < 1) throw InputError(located(origin, line_number, "sample id must be positive"));
    if (s.type < 1) throw InputError(located(origin, line_number, "sample type must be positive"));
    if (!(values[5] > 0.0))
      throw InputError(located(origin, line_number,
                               "sample " + std::to_string(s.id) + " has radius " + tokens[5] +
                                   " (must be > 0)"));
    s.point = Point3{values[2], values[3], values[4], 2.0 * values[5]};
    s.line = line_number;
    samples.push_back(s);
  }
  if (samples.empty()) throw InputError(origin + ": no SWC samples");
  return samples;
}

// Links parents, rejects missing parents, several roots and cycles, and puts
// the samples in an order where every parent precedes its children (the file
// order when it already is one, as Import3d keeps it).
std::vector<Sample> link_samples(std::vector<Sample> samples, const std::string& origin) {
  std::map<long, int> index_of;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!index_of.emplace(samples[i].id, static_cast<int>(i)).second)
      throw InputError(located(origin, samples[i].line,
                               "duplicate sample id " + std::to_string(samples[i].id)));
  }
  int root = -1;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    Sample& s = samples[i];
    if (s.parent_id == -1) {
      if (root >= 0)
        throw InputError(located(origin, s.line,
                                 "second root sample (parent -1); the first is on line " +
                                     std::to_string(samples[static_cast<std::size_t>(root)].line) +
                                     " — a cell must be one connected tree"));
      root = static_cast<int>(i);
      continue;
    }
    const auto it = index_of.find(s.parent_id);
    if (it == index_of.end())
      throw InputError(located(origin, s.line,
                               "sample " + std::to_string(s.id) + " names parent " +
                                   std::to_string(s.parent_id) + ", which does not exist"));
    if (it->second == static_cast<int>(i))
      throw InputError(located(origin, s.line, "sample " + std::to_string(s.id) + " is its own parent"));
    s.parent = it->second;
  }
  if (root < 0) {
    // Every sample has a parent: the parent links must contain a cycle.
    throw InputError(located(origin, samples.front().line,
                             "no root sample (parent -1): the parent links form a cycle"));
  }
  for (std::size_t i = 0; i < samples.size(); ++i)
    if (samples[i].parent >= 0)
      samples[static_cast<std::size_t>(samples[i].parent)].children.push_back(static_cast<int>(i));

  // Depth-first from the root; unreached samples lie on a cycle.
  std::vector<char> reached(samples.size(), 0);
  std::vector<int> stack{root};
  reached[static_cast<std::size_t>(root)] = 1;
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    for (int c : samples[static_cast<std::size_t>(i)].children) {
      reached[static_cast<std::size_t>(c)] = 1;
      stack.push_back(c);
    }
  }
  for (std::size_t i = 0; i < samples.size(); ++i)
    if (!reached[i])
      throw InputError(located(origin, samples[i].line,
                               "sample " + std::to_string(samples[i].id) +
                                   " is on a cycle of parent links (it never reaches the root)"));

  bool parents_first = root == 0;
  for (std::size_t i = 0; i < samples.size() && parents_first; ++i)
    if (samples[i].parent >= static_cast<int>(i)) parents_first = false;
  if (parents_first) return samples;

  // Reorder: pre-order depth-first, children in file order.
  std::vector<int> order;
  order.reserve(samples.size());
  stack.assign(1, root);
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    order.push_back(i);
    const auto& ch = samples[static_cast<std::size_t>(i)].children;
    for (auto it = ch.rbegin(); it != ch.rend(); ++it) stack.push_back(*it);
  }
  std::vector<int> new_index(samples.size());
  for (std::size_t k = 0; k < order.size(); ++k) new_index[static_cast<std::size_t>(order[k])] = static_cast<int>(k);
  std::vector<Sample> sorted;
  sorted.reserve(samples.size());
  for (int i : order) {
    Sample s = samples[static_cast<std::size_t>(i)];
    if (s.parent >= 0) s.parent = new_index[static_cast<std::size_t>(s.parent)];
    for (int& c : s.children) c = new_index[static_cast<std::size_t>(c)];
    sorted.push_back(std::move(s));
  }
  return sorted;
}

}  // namespace

Morphology parse_swc(std::istream& in, const std::string& origin) {
  std::vector<Sample> samples = link_samples(read_samples(in, origin), origin);
  const Sample& root = samples[0];
  if (root.type != 1)
    throw InputError(located(origin, root.line, "the root sample is not a soma sample (type 1)"));

  // The soma: the chain of type-1 samples starting at the root.
  std::vector<int> soma_chain{0};
  for (;;) {
    const Sample& last = samples[static_cast<std::size_t>(soma_chain.back())];
    std::vector<int> soma_children;
    for (int c : last.children)
      if (samples[static_cast<std::size_t>(c)].type == 1) soma_children.push_back(c);
    if (soma_children.empty()) break;
    if (soma_children.size() > 1 && soma_chain.size() > 1)
      throw InputError(located(origin, samples[static_cast<std::size_t>(soma_children[1])].line,
                               "branched soma outlines are not supported"));
    if (soma_children.size() > 1) {
      // NeuroMorpho three-point soma: root with two type-1 children.
      if (soma_children.size() != 2) throw InputError(located(origin, root.line, "branched soma outline"));
      soma_chain.push_back(soma_children[0]);
      soma_chain.push_back(soma_children[1]);
      break;
    }
    soma_chain.push_back(soma_children[0]);
  }
  for (std::size_t i = 1; i < samples.size(); ++i)
    if (samples[i].type == 1 && std::find(soma_chain.begin(), soma_chain.end(), static_cast<int>(i)) == soma_chain.end())
      throw InputError(located(origin, samples[i].line,
                               "soma sample outside the soma outline that starts at the root"));

  bool sphere = soma_chain.size() == 1;
  if (soma_chain.size() == 3 && samples[static_cast<std::size_t>(soma_chain[1])].parent == 0 &&
      samples[static_cast<std::size_t>(soma_chain[2])].parent == 0) {
    // NeuroMorpho convention: uniform diameter, length = diameter, no children
    // on the two outer points -> a sphere (Import3d's neuromorph_3point_soma).
    const Sample& a = samples[static_cast<std::size_t>(soma_chain[1])];
    const Sample& b = samples[static_cast<std::size_t>(soma_chain[2])];
    const double d = root.point.diam_um;
    auto dist = [](const Point3& p, const Point3& q) {
      return std::sqrt((p.x_um - q.x_um) * (p.x_um - q.x_um) + (p.y_um - q.y_um) * (p.y_um - q.y_um) +
                       (p.z_um - q.z_um) * (p.z_um - q.z_um));
    };
    const double length = dist(a.point, root.point) + dist(b.point, root.point);
    if (a.children.empty() && b.children.empty() && a.point.diam_um == d && b.point.diam_um == d &&
        std::abs(length / d - 1.0) < 0.01) {
      sphere = true;
      soma_chain.resize(1);
    } else {
      throw InputError(located(origin, a.line,
                               "three-point soma that does not follow the NeuroMorpho convention"));
    }
  }

  Morphology morph;
  morph.name = origin;
  std::vector<int> section_of(samples.size(), -1);
  MorphSection soma;
  soma.type = SectionType::soma;
  if (sphere) {
    const Point3 c = root.point;
    soma.points = {Point3{c.x_um, c.y_um - c.diam_um / 2, c.z_um, c.diam_um}, c,
                   Point3{c.x_um, c.y_um + c.diam_um / 2, c.z_um, c.diam_um}};
  } else {
    for (int i : soma_chain) soma.points.push_back(samples[static_cast<std::size_t>(i)].point);
  }
  morph.sections.push_back(soma);
  for (int i : soma_chain) section_of[static_cast<std::size_t>(i)] = 0;

  // Non-soma sections, in the order of their first sample.
  for (std::size_t i = 1; i < samples.size(); ++i) {
    if (section_of[i] >= 0) continue;
    const Sample& first = samples[i];
    const Sample& parent = samples[static_cast<std::size_t>(first.parent)];
    MorphSection sec;
    sec.type = section_type(first.type);
    sec.parent = section_of[static_cast<std::size_t>(first.parent)];
    bool wire = false;
    Point3 start = parent.point;
    if (sec.parent == 0) {
      const auto pos = std::find(soma_chain.begin(), soma_chain.end(), first.parent) - soma_chain.begin();
      const bool many_children = parent.children.size() > 1;
      if (sphere) {
        sec.parent_x = 0.5;
        wire = true;
      } else if (pos == 0) {
        sec.parent_x = 0.0;
        wire = many_children;
      } else if (pos + 1 == static_cast<long>(soma_chain.size())) {
        sec.parent_x = 1.0;
        wire = many_children;
      } else {
        sec.parent_x = 0.5;
        wire = true;
      }
      start.diam_um = first.point.diam_um;  // Import3d: d[0] = d[1] under a soma
    } else {
      sec.parent_x = 1.0;
    }
    if (!wire) sec.points.push_back(start);
    // Follow the chain while the next sample continues this section.
    std::size_t k = i;
    for (;;) {
      sec.points.push_back(samples[k].point);
      section_of[k] = static_cast<int>(morph.sections.size());
      const Sample& s = samples[k];
      if (s.children.size() != 1) break;
      const auto next = static_cast<std::size_t>(s.children[0]);
      if (next != k + 1 || samples[next].type != s.type) break;
      k = next;
    }
    if (sec.points.size() < 2)
      throw InputError(located(origin, first.line,
                               "sample " + std::to_string(first.id) +
                                   " forms a section with a single 3-D point (a lone sample attached to the soma)"));
    morph.sections.push_back(std::move(sec));
  }
  morph.validate(origin);
  return morph;
}

Morphology read_swc(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open SWC file");
  return parse_swc(in, path);
}

namespace {

bool is_sphere_soma(const MorphSection& soma) {
  if (soma.points.size() != 3) return false;
  const Point3& a = soma.points[0];
  const Point3& c = soma.points[1];
  const Point3& b = soma.points[2];
  const double d = c.diam_um;
  return a.diam_um == d && b.diam_um == d && a.x_um == c.x_um && b.x_um == c.x_um && a.z_um == c.z_um &&
         b.z_um == c.z_um && std::abs((b.y_um - a.y_um) - d) < 1e-9 * d;
}

}  // namespace

void write_swc(const Morphology& morphology, std::ostream& out) {
  morphology.validate(morphology.name);
  const auto& sections = morphology.sections;
  const bool sphere = is_sphere_soma(sections[0]);
  out << "# neurotwin SWC export: " << morphology.name << "\n";
  out << "# id type x y z radius parent\n";
  out << std::setprecision(9);
  long next_id = 1;
  std::vector<long> last_id(sections.size(), -1), first_id(sections.size(), -1);
  auto emit = [&](int type, const Point3& p, long parent) {
    out << next_id << ' ' << type << ' ' << p.x_um << ' ' << p.y_um << ' ' << p.z_um << ' ' << p.diam_um / 2
        << ' ' << parent << '\n';
    return next_id++;
  };
  if (sphere) {
    first_id[0] = last_id[0] = emit(1, sections[0].points[1], -1);
  } else {
    long parent = -1;
    for (const Point3& p : sections[0].points) {
      parent = emit(1, p, parent);
      if (first_id[0] < 0) first_id[0] = parent;
    }
    last_id[0] = parent;
  }
  for (std::size_t i = 1; i < sections.size(); ++i) {
    const MorphSection& s = sections[i];
    const auto parent = static_cast<std::size_t>(s.parent);
    std::size_t skip = 0;
    long parent_id = last_id[parent];
    if (s.parent == 0 && sphere) {
      parent_id = first_id[0];
    } else {
      if (s.parent == 0 && s.parent_x == 0.0) parent_id = first_id[0];
      else if (s.parent_x != 1.0)
        throw InputError(morphology.name + ": cannot write section " + morphology.section_name(static_cast<int>(i)) +
                         " to SWC: it attaches at x = " + std::to_string(s.parent_x));
      skip = 1;  // the first point repeats the parent's point
    }
    long parent_sample = parent_id;
    for (std::size_t k = skip; k < s.points.size(); ++k)
      parent_sample = emit(static_cast<int>(s.type), s.points[k], parent_sample);
    last_id[i] = parent_sample;
  }
}

}  // namespace neurotwin
