#include "neurotwin/simulator/neurolucida.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {
namespace {

// ---- tokens and s-expressions ------------------------------------------

struct Node {
  enum Kind { list, number, word, string, bar } kind = word;
  std::string text;
  double value = 0;
  int line = 0;
  std::vector<Node> items;  // for lists
};

class Lexer {
 public:
  Lexer(std::istream& in, std::string origin) : origin_(std::move(origin)) {
    std::stringstream ss;
    ss << in.rdbuf();
    text_ = ss.str();
  }

  // Parses the whole file into a list of top-level nodes.
  std::vector<Node> parse_all() {
    std::vector<Node> top;
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) return top;
      const char c = text_[pos_];
      if (c == ')') throw InputError(located(origin_, line_, "unbalanced ')' (no matching '(')"));
      top.push_back(parse_item());
    }
  }

 private:
  std::string text_, origin_;
  std::size_t pos_ = 0;
  int line_ = 1;

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (c == ';') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
        ++pos_;
      } else {
        return;
      }
    }
  }

  Node parse_item() {
    skip_space();
    Node n;
    n.line = line_;
    const char c = text_[pos_];
    if (c == '(' || c == '<') {
      // '<(' opens a spine; treated as a list to skip.
      if (c == '<') {
        ++pos_;
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '(') throw InputError(located(origin_, n.line, "'<' not followed by '('"));
      }
      ++pos_;
      n.kind = Node::list;
      for (;;) {
        skip_space();
        if (pos_ >= text_.size())
          throw InputError(located(origin_, n.line, "unbalanced '(': no matching ')' before the end of the file"));
        if (text_[pos_] == ')') {
          ++pos_;
          if (c == '<') {
            skip_space();
            if (pos_ < text_.size() && text_[pos_] == '>') ++pos_;
          }
          return n;
        }
        n.items.push_back(parse_item());
      }
    }
    if (c == '|') {
      ++pos_;
      n.kind = Node::bar;
      return n;
    }
    if (c == '"') {
      const std::size_t end = text_.find('"', pos_ + 1);
      if (end == std::string::npos) throw InputError(located(origin_, n.line, "unterminated string"));
      n.kind = Node::string;
      n.text = text_.substr(pos_ + 1, end - pos_ - 1);
      for (std::size_t i = pos_; i < end; ++i) line_ += text_[i] == '\n';
      pos_ = end + 1;
      return n;
    }
    const std::size_t start = pos_;
    while (pos_ < text_.size()) {
      const char d = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(d)) || d == '(' || d == ')' || d == '|' || d == ';' || d == ',' || d == '"')
        break;
      ++pos_;
    }
    if (pos_ == start) throw InputError(located(origin_, n.line, std::string("unexpected character '") + c + "'"));
    n.text = text_.substr(start, pos_ - start);
    char* end = nullptr;
    n.value = std::strtod(n.text.c_str(), &end);
    n.kind = end && *end == '\0' ? Node::number : Node::word;
    return n;
  }
};

bool is_point(const Node& n) { return n.kind == Node::list && !n.items.empty() && n.items[0].kind == Node::number; }

Point3 to_point(const Node& n, const std::string& origin) {
  if (n.items.size() < 4 || n.items[1].kind != Node::number || n.items[2].kind != Node::number ||
      n.items[3].kind != Node::number)
    throw InputError(located(origin, n.line, "a point needs four numbers (x y z diameter)"));
  // Import3d reads through %.8g text and stores 32-bit floats (spec §2.2).
  auto f = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.8g", v);
    return static_cast<double>(static_cast<float>(std::strtod(buf, nullptr)));
  };
  return Point3{f(n.items[0].value), f(n.items[1].value), f(n.items[2].value), f(n.items[3].value)};
}

// ---- the soma contour (spec §2.3) -----------------------------------------

using Vec3 = std::array<double, 3>;

// Eigenvectors (columns) and eigenvalues of a symmetric 3x3 matrix (Jacobi).
void symmetric_eigen(std::array<std::array<double, 3>, 3> a, Vec3& values, std::array<Vec3, 3>& vectors) {
  std::array<std::array<double, 3>, 3> v{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
  for (int sweep = 0; sweep < 100; ++sweep) {
    const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    if (off < 1e-30) break;
    for (int p = 0; p < 2; ++p)
      for (int q = p + 1; q < 3; ++q) {
        if (std::abs(a[p][q]) < 1e-300) continue;
        const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < 3; ++k) {
          const double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < 3; ++k) {
          const double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (int k = 0; k < 3; ++k) {
          const double vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
  }
  for (int i = 0; i < 3; ++i) {
    values[static_cast<std::size_t>(i)] = a[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)];
    vectors[static_cast<std::size_t>(i)] = {v[0][static_cast<std::size_t>(i)], v[1][static_cast<std::size_t>(i)],
                                            v[2][static_cast<std::size_t>(i)]};
  }
}

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// Linear interpolation of r at t over increasing a, constant beyond the ends.
double interpolate(const std::vector<double>& a, const std::vector<double>& r, double t) {
  if (t <= a.front()) return r.front();
  if (t >= a.back()) return r.back();
  const auto it = std::upper_bound(a.begin(), a.end(), t);
  const auto i = static_cast<std::size_t>(it - a.begin());
  const double f = (t - a[i - 1]) / (a[i] - a[i - 1]);
  return r[i - 1] + f * (r[i] - r[i - 1]);
}

// Step 6: delete elements until a is strictly increasing, scanning from the end.
void make_increasing(std::vector<double>& a, std::vector<double>& r) {
  std::size_t j = a.size() - 1;
  while (j >= 1 && j < a.size()) {
    if (a[j] <= a[j - 1]) {
      a.erase(a.begin() + static_cast<long>(j));
      r.erase(r.begin() + static_cast<long>(j));
      if (j < a.size()) continue;  // the next element moved into j: compare it again
    }
    --j;
  }
}

}  // namespace

std::vector<Point3> soma_from_contour(const std::vector<Point3>& contour) {
  const std::size_t n = contour.size();
  if (n < 3) throw InputError("soma contour needs at least 3 points");
  // 1. Resample at 101 equally spaced positions of the x-y perimeter (open polyline).
  std::vector<double> s(n, 0.0);
  for (std::size_t k = 1; k < n; ++k)
    s[k] = s[k - 1] + std::hypot(contour[k].x_um - contour[k - 1].x_um, contour[k].y_um - contour[k - 1].y_um);
  std::vector<Vec3> p;
  for (int j = 0; j <= 100; ++j) {
    const double target = j * s[n - 1] / 100.0;
    std::size_t k = 1;
    while (k < n - 1 && s[k] < target) ++k;
    const double span = s[k] - s[k - 1];
    const double f = span > 0 ? std::clamp((target - s[k - 1]) / span, 0.0, 1.0) : 0.0;
    if (j == 100) {
      p.push_back({contour[n - 1].x_um, contour[n - 1].y_um, contour[n - 1].z_um});
      continue;
    }
    p.push_back({contour[k - 1].x_um + f * (contour[k].x_um - contour[k - 1].x_um),
                 contour[k - 1].y_um + f * (contour[k].y_um - contour[k - 1].y_um),
                 contour[k - 1].z_um + f * (contour[k].z_um - contour[k - 1].z_um)});
  }
  // 2. Centre.
  Vec3 c{0, 0, 0};
  for (const Vec3& q : p)
    for (std::size_t i = 0; i < 3; ++i) c[i] += q[i] / static_cast<double>(p.size());
  // 3. Principal axes of the scatter matrix.
  std::array<std::array<double, 3>, 3> m{};
  for (const Vec3& q0 : p) {
    const Vec3 q{q0[0] - c[0], q0[1] - c[1], q0[2] - c[2]};
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t k = 0; k < 3; ++k) m[i][k] += q[i] * q[k];
  }
  Vec3 values{};
  std::array<Vec3, 3> vectors{};
  symmetric_eigen(m, values, vectors);
  std::array<std::size_t, 3> order{0, 1, 2};
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return values[x] > values[y]; });
  const Vec3 major = vectors[order[0]];
  Vec3 minor = vectors[order[1]];
  minor[2] = 0;
  const double norm = std::sqrt(dot(minor, minor));
  for (double& v : minor) v /= norm;
  // 4. Positions along the axis and signed half-widths.
  std::vector<double> a, r;
  for (const Vec3& q0 : p) {
    const Vec3 q{q0[0] - c[0], q0[1] - c[1], q0[2] - c[2]};
    a.push_back(dot(q, major));
    r.push_back(dot(q, minor));
  }
  // 5. Rotate so that the maximum of a is first; split at the minimum.
  const auto imax = static_cast<long>(std::max_element(a.begin(), a.end()) - a.begin());
  std::rotate(a.begin(), a.begin() + imax, a.end());
  std::rotate(r.begin(), r.begin() + imax, r.end());
  const auto imin = static_cast<long>(std::min_element(a.begin(), a.end()) - a.begin());
  std::vector<double> a2(a.begin() + imin, a.end()), r2(r.begin() + imin, r.end());
  std::vector<double> a1(a.begin(), a.begin() + imin), r1(r.begin(), r.begin() + imin);
  std::reverse(a1.begin(), a1.end());
  std::reverse(r1.begin(), r1.end());
  if (a1.empty() || a2.empty()) throw InputError("degenerate soma contour");
  // 6. Strictly increasing sides.
  make_increasing(a1, r1);
  make_increasing(a2, r2);
  // 7. 21 positions between the second-smallest and second-largest a.
  std::vector<double> all(a1);
  all.insert(all.end(), a2.begin(), a2.end());
  std::sort(all.begin(), all.end());
  if (all.size() < 4) throw InputError("degenerate soma contour");
  const double lo = all[1], hi = all[all.size() - 2];
  // 8-9. Diameters from the two sides; points on the axis.
  std::vector<double> t(21), d(21);
  for (std::size_t k = 0; k <= 20; ++k) {
    t[k] = lo + static_cast<double>(k) * (hi - lo) / 20.0;
    d[k] = std::abs(interpolate(a1, r1, t[k]) - interpolate(a2, r2, t[k]));
  }
  d[0] = (d[0] + d[1]) / 2;
  d[20] = (d[20] + d[19]) / 2;
  std::vector<Point3> points;
  for (std::size_t k = 0; k <= 20; ++k)
    points.push_back(Point3{static_cast<double>(static_cast<float>(c[0] + t[k] * major[0])),
                            static_cast<double>(static_cast<float>(c[1] + t[k] * major[1])),
                            static_cast<double>(static_cast<float>(c[2] + t[k] * major[2])),
                            static_cast<double>(static_cast<float>(d[k]))});
  return points;
}

namespace {

class TreeBuilder {
 public:
  TreeBuilder(Morphology& m, std::string origin) : m_(m), origin_(std::move(origin)) {}

  // A branch: its points (markers, properties and ending words skipped), then
  // an optional split whose branches are its children.
  void branch(const std::vector<const Node*>& items, SectionType type, int parent) {
    MorphSection sec;
    sec.type = type;
    sec.parent = parent;
    sec.parent_x = parent == 0 ? 0.5 : 1.0;
    std::vector<std::vector<const Node*>> children;
    int line = items.empty() ? 0 : items.front()->line;
    for (const Node* item : items) {
      if (is_point(*item)) {
        const Point3 pt = to_point(*item, origin_);
        if (!(pt.diam_um > 0)) throw InputError(located(origin_, item->line, "point with zero or negative diameter"));
        sec.points.push_back(pt);
      } else if (item->kind == Node::list && !item->items.empty() && item->items[0].kind == Node::list) {
        // A split: branches separated by '|'.
        children.emplace_back();
        for (const Node& sub : item->items) {
          if (sub.kind == Node::bar) children.emplace_back();
          else children.back().push_back(&sub);
        }
      }
      // other lists (markers, properties, spines) and bare words are skipped
    }
    if (sec.points.empty()) throw InputError(located(origin_, line, "branch without points"));
    if (parent > 0) {
      const Point3& last = m_.sections[static_cast<std::size_t>(parent)].points.back();
      const Point3& first = sec.points.front();
      if (first.x_um != last.x_um || first.y_um != last.y_um || first.z_um != last.z_um)
        sec.points.insert(sec.points.begin(), Point3{last.x_um, last.y_um, last.z_um, first.diam_um});
    }
    if (sec.points.size() < 2) throw InputError(located(origin_, line, "section with a single 3-D point"));
    m_.sections.push_back(std::move(sec));
    const int me = static_cast<int>(m_.sections.size()) - 1;
    for (const auto& child : children)
      if (!child.empty()) branch(child, type, me);
  }

 private:
  Morphology& m_;
  std::string origin_;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Morphology parse_neurolucida(std::istream& in, const std::string& origin) {
  Lexer lexer(in, origin);
  const std::vector<Node> top = lexer.parse_all();
  std::vector<Point3> soma_contour;
  int soma_line = 0;
  struct Tree {
    SectionType type;
    std::vector<const Node*> items;
  };
  std::vector<Tree> trees;
  for (const Node& n : top) {
    if (n.kind != Node::list || n.items.empty()) continue;
    if (n.items[0].kind == Node::string) {
      const std::string name = lower(n.items[0].text);
      if (name != "cellbody" && name != "cell body" && name != "soma") continue;
      std::vector<Point3> points;
      for (const Node& item : n.items)
        if (is_point(item)) points.push_back(to_point(item, origin));
      if (points.size() < 3) continue;
      if (!soma_contour.empty())
        throw InputError(located(origin, n.line, "a second soma contour (only one is supported)"));
      soma_contour = points;
      soma_line = n.line;
      continue;
    }
    SectionType type = SectionType::custom;
    bool is_tree = false;
    std::vector<const Node*> items;
    for (const Node& item : n.items) {
      if (item.kind == Node::list && item.items.size() == 1 && item.items[0].kind == Node::word) {
        const std::string w = item.items[0].text;
        if (w == "Axon") type = SectionType::axon, is_tree = true;
        else if (w == "Dendrite") type = SectionType::basal, is_tree = true;
        else if (w == "Apical") type = SectionType::apical, is_tree = true;
      }
      items.push_back(&item);
    }
    if (is_tree) trees.push_back({type, items});
  }
  if (soma_contour.empty()) throw InputError(origin + ": no soma contour (CellBody, Cell Body or Soma) found");
  Morphology m;
  m.name = origin;
  MorphSection soma;
  soma.type = SectionType::soma;
  try {
    soma.points = soma_from_contour(soma_contour);
  } catch (const InputError& e) {
    throw InputError(located(origin, soma_line, e.what()));
  }
  m.sections.push_back(soma);
  TreeBuilder builder(m, origin);
  for (const Tree& t : trees) builder.branch(t.items, t.type, 0);
  m.validate(origin);
  return m;
}

Morphology read_neurolucida(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open ASC file");
  return parse_neurolucida(in, path);
}

}  // namespace neurotwin
