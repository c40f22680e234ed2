#include "cell_file.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin::cli {

namespace {

namespace fs = std::filesystem;

struct Source {
  std::string origin;  // file path, or "preset l5pc"
  std::string text;
  fs::path directory;  // for `extends` given as a relative path
};

Source resolve(const std::string& name, const fs::path& relative_to) {
  const auto& presets = embedded_cell_files();
  if (const auto it = presets.find(name); it != presets.end())
    return {"cell preset '" + name + "' (experiments/cells/" + name + ".yaml)", it->second, {}};
  fs::path path(name);
  if (path.is_relative() && !relative_to.empty()) path = relative_to / path;
  if (!fs::exists(path)) {
    std::string known;
    for (const auto& [preset, text] : presets) known += (known.empty() ? "" : ", ") + preset;
    throw InputError(path.string() + ": no such cell file (presets: " + known + ")");
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return {path.string(), ss.str(), path.parent_path()};
}

YAML::Node parse(const Source& s) {
  try {
    YAML::Node n = YAML::Load(s.text);
    if (!n.IsMap()) throw InputError(s.origin + ": a cell file is a YAML mapping");
    return n;
  } catch (const YAML::ParserException& e) {
    throw InputError(located(s.origin, e.mark.line + 1, "YAML syntax error: " + e.msg));
  }
}

// Deep merge: maps merge key by key, anything else is replaced. The
// overriding file's nodes are used as they are, so errors keep their lines.
YAML::Node merge(const YAML::Node& base, const YAML::Node& over) {
  if (!base.IsMap() || !over.IsMap()) return over;
  YAML::Node out = YAML::Clone(base);
  for (const auto& kv : over) {
    const std::string key = kv.first.as<std::string>();
    if (key == "extends") continue;
    if (out[key]) {
      const YAML::Node merged = merge(out[key], kv.second);
      out[key] = merged;
    } else {
      out[key] = kv.second;
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& what) const {
    const int line = n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
    throw InputError(line > 0 ? located(origin_, line, key + ": " + what) : origin_ + ": " + key + ": " + what);
  }
  void keys(const YAML::Node& map, const std::string& where, const std::set<std::string>& allowed) const {
    if (!map.IsMap()) fail(map, where, "expected a mapping");
    for (const auto& kv : map) {
      const std::string k = kv.first.as<std::string>();
      if (!allowed.count(k)) {
        std::string list;
        for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
        // A merged (extends) key node has no position; its value does.
        fail(kv.first.Mark().line >= 0 ? kv.first : kv.second, where.empty() ? k : where + "." + k,
             "unknown key (allowed: " + list + ")");
      }
    }
  }
  double number(const YAML::Node& map, const std::string& key, const std::string& where, double fallback, double lo,
                double hi) const {
    const YAML::Node n = map[key];
    if (!n) return fallback;
    double v = 0;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      fail(n, where + key, "expected a number, got '" + n.as<std::string>("?") + "'");
    }
    if (!(v >= lo && v <= hi)) fail(n, where + key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  }
  bool flag(const YAML::Node& map, const std::string& key, const std::string& where, bool fallback) const {
    const YAML::Node n = map[key];
    if (!n) return fallback;
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      fail(n, where + key, "expected true or false");
    }
  }
  std::string text(const YAML::Node& map, const std::string& key, const std::string& where, const std::string& fallback) const {
    const YAML::Node n = map[key];
    if (!n) return fallback;
    if (!n.IsScalar()) fail(n, where + key, "expected a string");
    return n.as<std::string>();
  }

 private:
  std::string origin_;
};

DensityRule read_rule(const Reader& r, const YAML::Node& n, const std::string& where) {
  DensityRule rule;
  if (n.IsScalar()) {
    try {
      rule.value = n.as<double>();
    } catch (const YAML::Exception&) {
      r.fail(n, where, "expected a density (S/cm²) or a rule mapping");
    }
    if (!(rule.value >= 0 && rule.value <= 100)) r.fail(n, where, "density must be in [0, 100] S/cm²");
    return rule;
  }
  const std::string kind = r.text(n, "rule", where + ".", "");
  const std::string w = where + ".";
  if (kind == "exponential_plateau") {
    r.keys(n, where, {"rule", "value", "a", "b", "c", "max_fraction", "round_decimals"});
    rule.kind = DensityRule::Kind::exponential_plateau;
    rule.a = r.number(n, "a", w, 0, -1e6, 1e6);
    rule.b = r.number(n, "b", w, 0, -1e6, 1e6);
    rule.c = r.number(n, "c", w, 0, -1e3, 1e3);
    rule.max_fraction = r.number(n, "max_fraction", w, 1, 0, 1e6);
  } else if (kind == "window") {
    r.keys(n, where, {"rule", "value", "lo_um", "hi_um", "inside", "outside", "round_decimals"});
    rule.kind = DensityRule::Kind::window;
    rule.lo_um = r.number(n, "lo_um", w, 0, -1e6, 1e6);
    rule.hi_um = r.number(n, "hi_um", w, 0, -1e6, 1e6);
    rule.inside = r.number(n, "inside", w, 1, 0, 1e6);
    rule.outside = r.number(n, "outside", w, 1, 0, 1e6);
  } else {
    r.fail(n["rule"] ? n["rule"] : n, where + ".rule", "expected exponential_plateau or window, got '" + kind + "'");
  }
  rule.value = r.number(n, "value", w, 0, 0, 100);
  rule.round_decimals = static_cast<int>(r.number(n, "round_decimals", w, -1, -1, 15));
  return rule;
}

RegionDescription read_region(const Reader& r, const YAML::Node& n, const std::string& where) {
  r.keys(n, where, {"cm_uF_per_cm2", "ra_ohm_cm", "g_pas_S_per_cm2", "e_pas_mV", "ena_mV", "ek_mV", "calcium", "mechanisms"});
  const std::string w = where + ".";
  RegionDescription g;
  g.cm_uF_per_cm2 = r.number(n, "cm_uF_per_cm2", w, 1.0, 1e-3, 100);
  g.ra_ohm_cm = r.number(n, "ra_ohm_cm", w, 100.0, 1e-3, 1e6);
  g.g_pas_S_per_cm2 = r.number(n, "g_pas_S_per_cm2", w, 0.0, 0, 1);
  g.e_pas_mV = r.number(n, "e_pas_mV", w, -70.0, -200, 100);
  g.ena_mV = r.number(n, "ena_mV", w, 50.0, -200, 200);
  g.ek_mV = r.number(n, "ek_mV", w, -85.0, -200, 100);
  if (const YAML::Node ca = n["calcium"]) {
    r.keys(ca, w + "calcium", {"gamma", "decay_ms"});
    g.calcium_pool = true;
    g.ca_gamma = r.number(ca, "gamma", w + "calcium.", 0.05, 0, 1);
    g.ca_decay_ms = r.number(ca, "decay_ms", w + "calcium.", 80.0, 1e-3, 1e6);
  }
  if (const YAML::Node mechs = n["mechanisms"]) {
    std::set<std::string> known(known_mechanisms().begin(), known_mechanisms().end());
    r.keys(mechs, w + "mechanisms", known);
    for (const auto& kv : mechs) {
      const std::string name = kv.first.as<std::string>();
      g.mechanisms[name] = read_rule(r, kv.second, w + "mechanisms." + name);
    }
  }
  return g;
}

CellDescription describe(const Reader& r, const YAML::Node& n) {
  r.keys(n, "", {"name", "v_init_mV", "celsius", "axon_replacement", "last_segment_at_section_end", "record_dendrite",
                 "synapses", "regions"});
  CellDescription d;
  d.name = r.text(n, "name", "", "cell");
  d.v_init_mV = r.number(n, "v_init_mV", "", -76.0, -200, 100);
  d.celsius = r.number(n, "celsius", "", 6.3, -20, 50);
  if (const YAML::Node a = n["axon_replacement"]) {
    r.keys(a, "axon_replacement", {"enabled", "sections", "length_um", "diameter_um"});
    d.replace_axon = r.flag(a, "enabled", "axon_replacement.", true);
    d.axon_sections = static_cast<int>(r.number(a, "sections", "axon_replacement.", 2, 0, 100));
    d.axon_length_um = r.number(a, "length_um", "axon_replacement.", 30.0, 1e-3, 1e5);
    d.axon_diameter_um = r.number(a, "diameter_um", "axon_replacement.", 1.0, 1e-3, 1e3);
  } else {
    d.replace_axon = false;
  }
  d.last_segment_at_section_end = r.flag(n, "last_segment_at_section_end", "", false);
  d.record_dendrite = r.text(n, "record_dendrite", "", "");
  if (const YAML::Node s = n["synapses"]) {
    r.keys(s, "synapses", {"excitatory", "excitatory_gmax_nS", "inhibitory_gmax_nS", "silence_on_zero_interval",
                           "release_probability", "numeric_slope"});
    const std::string kind = r.text(s, "excitatory", "synapses.", "nmda");
    if (kind != "nmda" && kind != "ampa") r.fail(s["excitatory"], "synapses.excitatory", "expected nmda or ampa, got '" + kind + "'");
    d.excitatory = kind == "nmda" ? ExcitatorySynapse::nmda : ExcitatorySynapse::ampa;
    d.excitatory_gmax_nS = r.number(s, "excitatory_gmax_nS", "synapses.", 0.4, 0, 1e3);
    d.inhibitory_gmax_nS = r.number(s, "inhibitory_gmax_nS", "synapses.", 1.0, 0, 1e3);
    d.silence_synapse_on_zero_interval = r.flag(s, "silence_on_zero_interval", "synapses.", false);
    d.release_probability = r.number(s, "release_probability", "synapses.", 1.0, 0.0, 1.0);
    d.numeric_slope = r.flag(s, "numeric_slope", "synapses.", false);
  }
  const YAML::Node regions = n["regions"];
  if (!regions) r.fail(n, "regions", "missing (soma, axon, basal, apical)");
  r.keys(regions, "regions", {"soma", "axon", "basal", "apical"});
  for (const auto& kv : regions) {
    const std::string name = kv.first.as<std::string>();
    d.regions[name] = read_region(r, kv.second, "regions." + name);
  }
  return d;
}

YAML::Node load_merged(const std::string& name, const fs::path& relative_to, int depth, std::string* origin) {
  if (depth > 8) throw InputError(name + ": `extends` nests too deeply (a cycle?)");
  const Source s = resolve(name, relative_to);
  YAML::Node n = parse(s);
  if (origin) *origin = s.origin;
  if (const YAML::Node base = n["extends"]) {
    if (!base.IsScalar()) throw InputError(located(s.origin, base.Mark().line + 1, "extends: expected a preset name or a path"));
    return merge(load_merged(base.as<std::string>(), s.directory, depth + 1, nullptr), n);
  }
  return n;
}

}  // namespace

CellDescription load_cell_description(const std::string& source) {
  std::string origin;
  const YAML::Node n = load_merged(source, {}, 0, &origin);
  try {
    return describe(Reader(origin), n);
  } catch (const YAML::Exception& e) {
    throw InputError(origin + ": " + e.what());
  }
}

}  // namespace neurotwin::cli
