#include "experiment_config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <variant>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin::cli {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// One configuration key, bound to the field it sets. The same table reads,
// validates and writes the configuration.
struct Field {
  std::string key;  // dotted path
  std::variant<double*, int*, std::int64_t*, bool*, std::string*, std::vector<int>*, std::vector<double>*, RateRange*>
      target;
  double min = -kInf, max = kInf;  // numeric range (elements of lists too)
  std::vector<std::string> choices;  // allowed strings, if any
  std::string help;
};

std::vector<Field> schema(ExperimentConfig& c) {
  SimpleBiophysics& b = c.cell.biophysics;
  InputProtocolConfig& p = c.protocol;
  std::vector<Field> f = {
      {"output_dir", &c.output_dir, 0, 0, {}, "directory for every output of the experiment"},
      {"data_dir", &c.data_dir, 0, 0, {}, "dataset directory (empty: <output_dir>/data)"},
      {"seed", &c.seed, 0, 9.2e18, {}, "seed of inputs and training"},
      {"cell.model", &c.cell.model, 0, 0, {}, "simple, l5pc, l5pc-ampa, l5pc-ampa-sk, or a cell YAML file"},
      {"cell.morphology", &c.cell.morphology, 0, 0, {}, "'builtin', an SWC file or a Neurolucida .asc file"},
      {"cell.max_segment_length_um", &c.cell.segments.max_segment_length_um, 1e-3, 1e4, {}, "nseg = 1 + 2 floor(L / this)"},
      {"cell.v_init_mV", &b.v_init_mV, -200, 100, {}, ""},
      {"cell.celsius", &b.celsius, -20, 50, {}, ""},
      {"cell.soma.cm_uF_per_cm2", &b.soma.cm_uF_per_cm2, 1e-3, 100, {}, ""},
      {"cell.soma.ra_ohm_cm", &b.soma.ra_ohm_cm, 1e-3, 1e6, {}, ""},
      {"cell.soma.g_pas_S_per_cm2", &b.soma.g_pas_S_per_cm2, 0, 1, {}, ""},
      {"cell.soma.e_pas_mV", &b.soma.e_pas_mV, -200, 100, {}, ""},
      {"cell.dendrite.cm_uF_per_cm2", &b.dendrite.cm_uF_per_cm2, 1e-3, 100, {}, ""},
      {"cell.dendrite.ra_ohm_cm", &b.dendrite.ra_ohm_cm, 1e-3, 1e6, {}, ""},
      {"cell.dendrite.g_pas_S_per_cm2", &b.dendrite.g_pas_S_per_cm2, 0, 1, {}, ""},
      {"cell.dendrite.e_pas_mV", &b.dendrite.e_pas_mV, -200, 100, {}, ""},
      {"cell.axon.cm_uF_per_cm2", &b.axon.cm_uF_per_cm2, 1e-3, 100, {}, ""},
      {"cell.axon.ra_ohm_cm", &b.axon.ra_ohm_cm, 1e-3, 1e6, {}, ""},
      {"cell.axon.g_pas_S_per_cm2", &b.axon.g_pas_S_per_cm2, 0, 1, {}, ""},
      {"cell.axon.e_pas_mV", &b.axon.e_pas_mV, -200, 100, {}, ""},
      {"cell.soma_hh", &b.soma_hh, 0, 0, {}, "insert NEURON's hh at the soma"},
      {"cell.hh.gnabar_S_per_cm2", &b.hh.gnabar_S_per_cm2, 0, 10, {}, ""},
      {"cell.hh.gkbar_S_per_cm2", &b.hh.gkbar_S_per_cm2, 0, 10, {}, ""},
      {"cell.hh.gl_S_per_cm2", &b.hh.gl_S_per_cm2, 0, 1, {}, ""},
      {"cell.hh.el_mV", &b.hh.el_mV, -200, 100, {}, ""},
      {"cell.hh.ena_mV", &b.hh.ena_mV, -200, 200, {}, ""},
      {"cell.hh.ek_mV", &b.hh.ek_mV, -200, 100, {}, ""},
      {"cell.dendrite_hh_scale", &b.dendrite_hh_scale, 0, 1, {}, "dendritic hh density relative to the soma"},
      {"cell.excitatory_synapse", &c.cell.excitatory_synapse, 0, 0, {"nmda", "ampa"}, ""},
      {"cell.excitatory_gmax_nS", &c.cell.excitatory_gmax_nS, 0, 1e3, {}, ""},
      {"cell.inhibitory_gmax_nS", &c.cell.inhibitory_gmax_nS, 0, 1e3, {}, ""},
      {"cell.record_dendrite", &c.cell.record_dendrite, 0, 0, {}, "section(x) recorded at 1 sample/ms, 'auto', or ''"},
      {"simulation.integration", &c.simulation.integration, 0, 0, {"neurotwin", "neuron-fixed"},
       "defaults of simulation.dt_ms, .scheme and .rate_tables"},
      {"simulation.dt_ms", &c.simulation.dt_ms, 1e-4, 1, {}, ""},
      {"simulation.duration_ms", &c.simulation.duration_ms, 1, 1e6, {}, "whole ms"},
      {"simulation.store_soma_8perms", &c.simulation.store_soma_8perms, 0, 0, {}, ""},
      {"simulation.store_dendritic_voltages", &c.simulation.store_dendritic_voltages, 0, 0, {},
       "every input segment's voltage, 1 sample/ms, float16"},
      {"simulation.scheme", &c.simulation.scheme, 0, 0, {"backward_euler", "crank_nicolson"},
       "voltage solve: NEURON's default backward Euler, or Crank-Nicolson (NEURON's secondorder=2)"},
      {"simulation.rate_tables", &c.simulation.rate_tables, 0, 0, {},
       "L5PC gate rates from single-precision tables, gate states in single precision (faster, not NEURON-exact)"},
      {"protocol.preset", &c.protocol_preset, 0, 0, {"nmda", "ampa", "ampa-sk"}, "defaults of the keys below"},
      {"protocol.length_regularizer_um", &p.length_regularizer_um, 0, 1e4, {}, ""},
      {"protocol.rate_change_interval_options_ms", &p.rate_change_interval_options_ms, 1, 1e6, {}, ""},
      {"protocol.smoothing_sigma_options_ms", &p.smoothing_sigma_options_ms, 1, 1e5, {}, ""},
      {"protocol.jitter_ms", &p.jitter_ms, 0, 1e4, {}, ""},
      {"protocol.basal_excitation", &p.basal_excitation, 0, 1e7, {}, "spikes per 100 ms over the basal tree"},
      {"protocol.apical_excitation", &p.apical_excitation, 0, 1e7, {}, ""},
      {"protocol.basal_inhibition_minus_excitation", &p.basal_inhibition_minus_excitation, -1e7, 1e7, {}, ""},
      {"protocol.apical_inhibition_minus_excitation", &p.apical_inhibition_minus_excitation, -1e7, 1e7, {}, ""},
      {"protocol.spatial_noise_low", &p.spatial_noise_low, 0, 1e3, {}, ""},
      {"protocol.spatial_noise_high", &p.spatial_noise_high, 0, 1e3, {}, ""},
      {"dataset.train_simulations", &c.dataset.train_simulations, 1, 1e8, {}, ""},
      {"dataset.valid_simulations", &c.dataset.valid_simulations, 1, 1e8, {}, ""},
      {"dataset.test_simulations", &c.dataset.test_simulations, 1, 1e8, {}, ""},
      {"model.architecture", &c.model_architecture, 0, 0, {"tcn", "glm"},
       "what `train` fits: a TCN, or the GLM baseline of the glm section"},
      {"model.depth", &c.model.depth, 1, 64, {}, ""},
      {"model.width", &c.model.width, 1, 4096, {}, ""},
      {"model.first_kernel_ms", &c.model.first_kernel_ms, 1, 1000, {}, ""},
      {"model.kernel_ms", &c.model.kernel_ms, 1, 1000, {}, ""},
      {"model.input_projection", &c.model.input_projection, 0, 4096, {},
       "factorized input layer: synapses -> this many channels by a 1x1 convolution (0: plain TCN)"},
      {"model.input_pooling_band_um", &c.model.input_pooling_band_um, 0, 1e5, {},
       "> 0: the first layer sees input counts pooled by kind x tree x distance bands of this width (fixed, not "
       "learned; replaces input_projection)"},
      {"model.first_layer_windows_ms", &c.model.first_layer_windows_ms, 1, 1000, {},
       "non-empty: first-layer kernels are sums of boxcars over the last w ms (as the GLM's windows)"},
      {"model.detach_soma_head", &c.model.detach_soma_head, 0, 0, {},
       "the soma loss trains the soma head only, not the hidden layers (they serve the spike loss)"},
      {"model.dropout", &c.model.dropout, 0, 0.99, {}, "dropout probability after every hidden layer (training only)"},
      {"glm.windows_ms", &c.glm.windows_ms, 1, 10000, {}, "each input group's count over the last w ms is a feature"},
      {"glm.distance_edges_um", &c.glm.distance_edges_um, 1e-3, 1e6, {}, "path-distance bands of the input groups"},
      {"glm.l2", &c.glm.l2, 0, 1e12, {}, "penalty 0.5 l2 |beta|^2 on standardized coefficients (scikit-learn C = 1/l2)"},
      {"training.recipe", &c.training_keys.recipe, 0, 0, {"neurotwin", "beniaguev"}, "defaults of the training keys below"},
      {"training.optimizer", &c.training_keys.optimizer, 0, 0, {"adam", "nadam"}, ""},
      {"training.weight_decay", &c.training.weight_decay, 0, 10, {}, "L2 coefficient added to the gradient"},
      {"training.batch_size", &c.training.batch_size, 1, 1e5, {}, "windows per step (over all data-parallel processes)"},
      {"training.window_ms", &c.training.window_ms, 1, 1e6, {}, "target bins per window"},
      {"training.input_layer", &c.training_keys.input_layer, 0, 0, {"events", "dense"}, "first layer on input events or dense"},
      {"training.stages.steps", &c.training_keys.stages.steps, 1, 1e9, {}, "stage table: one entry per stage"},
      {"training.stages.learning_rate", &c.training_keys.stages.learning_rate, 1e-12, 10, {}, ""},
      {"training.stages.spike_loss_weight", &c.training_keys.stages.spike_loss_weight, 0, 1e6, {}, ""},
      {"training.stages.soma_loss_weight", &c.training_keys.stages.soma_loss_weight, 0, 1e6, {}, ""},
      {"training.stages.dendrite_loss_weight", &c.training_keys.stages.dendrite_loss_weight, 0, 1e6, {}, ""},
      {"training.dendrite_pca_components", &c.training.dendrite_pca_components, 0, 4096, {},
       "dendritic head on this many PCA components (0: none; needs dendritic_v_mV)"},
      {"training.dendrite_pca_simulations", &c.training.dendrite_pca_simulations, 1, 1e6, {}, "training simulations the PCA is fitted on"},
      {"training.early_stopping_validations", &c.training.early_stopping_validations, 0, 1e9, {},
       "stop after this many validations without a better AUC (0: never)"},
      {"training.window_cache_mb", &c.training.window_cache_mb, 0, 1e7, {}, "decoded training simulations kept in memory"},
      {"training.spike_bias_at_base_rate", &c.training.spike_bias_at_base_rate, 0, 0, {},
       "start the spike head's bias at the training spike rate (false: at -4)"},
      {"training.validate_every", &c.training.validate_every, 1, 1e9, {}, ""},
      {"training.checkpoint_every", &c.training.checkpoint_every, 1, 1e9, {}, ""},
      {"training.ignore_first_ms", &c.training.targets.ignore_first_ms, 0, 1e6, {}, ""},
      {"training.soma_clip_mV", &c.training.targets.soma_clip_mV, -200, 200, {}, ""},
      {"sweep.depths", &c.sweep.depths, 1, 64, {}, ""},
      {"sweep.widths", &c.sweep.widths, 1, 4096, {}, ""},
      {"sweep.first_kernels_ms", &c.sweep.first_kernels_ms, 1, 1000, {},
       "first-layer kernels to sweep (each with every depth x width; []: model.first_kernel_ms)"},
      {"sweep.plain_depths", &c.sweep.plain_depths, 1, 64, {}, "Beniaguev's plain TCN at these depths x plain_widths ([]: none)"},
      {"sweep.plain_widths", &c.sweep.plain_widths, 1, 4096, {}, ""},
      {"sweep.auc_margin", &c.sweep.auc_margin, 0, 1, {}, "choose the smallest network within this validation AUC of the best (and above the GLM)"},
      {"sweep.learning_curve_fractions", &c.sweep.learning_curve_fractions, 1e-6, 1, {},
       "the chosen network trained again on these fractions of the training simulations ([]: none)"},
      {"sweep.learning_curve_network", &c.sweep.learning_curve_network, 0, 0, {"chosen", "best"},
       "the learning curve's network: the sweep's choice, or the highest validation AUC"},
      {"export.file", &c.export_.file, 0, 0, {}, "relative to <output_dir>/export"},
  };
  return f;
}

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream ss(key);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  return parts;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Reads values from one YAML document into the schema's fields.
class Reader {
 public:
  Reader(std::string origin, std::map<std::string, std::string> overridden)
      : origin_(std::move(origin)), overridden_(std::move(overridden)) {}

  [[noreturn]] void fail(const std::string& key, const YAML::Node& node, const std::string& message) const {
    const auto it = overridden_.find(key);
    if (it != overridden_.end())
      throw InputError("command line (--set " + key + "=" + it->second + "): " + message);
    const int line = node.IsDefined() && node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    throw InputError(located(origin_, line, "key '" + key + "': " + message));
  }

  void check_range(const Field& f, const YAML::Node& node, double v) const {
    if (!std::isfinite(v)) fail(f.key, node, "must be finite");
    if (v < f.min || v > f.max) {
      std::ostringstream o;
      o << format_double(v) << " is out of range [" << format_double(f.min) << ", " << format_double(f.max) << "]";
      fail(f.key, node, o.str());
    }
  }

  double number(const Field& f, const YAML::Node& node, bool integer) const {
    if (!node.IsScalar()) fail(f.key, node, std::string("must be ") + (integer ? "an integer" : "a number"));
    const std::string text = node.Scalar();
    double v = 0;
    try {
      v = node.as<double>();
    } catch (const YAML::Exception&) {
      fail(f.key, node, std::string("must be ") + (integer ? "an integer" : "a number") + ", got '" + text + "'");
    }
    if (integer && v != std::floor(v)) fail(f.key, node, "must be an integer, got '" + text + "'");
    check_range(f, node, v);
    return v;
  }

  void read(const Field& f, const YAML::Node& node) const {
    std::visit(
        [&](auto* target) {
          using T = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<T, double>) {
            *target = number(f, node, false);
          } else if constexpr (std::is_same_v<T, int>) {
            *target = static_cast<int>(number(f, node, true));
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            *target = static_cast<std::int64_t>(number(f, node, true));
          } else if constexpr (std::is_same_v<T, bool>) {
            if (!node.IsScalar()) fail(f.key, node, "must be true or false");
            try {
              *target = node.as<bool>();
            } catch (const YAML::Exception&) {
              fail(f.key, node, "must be true or false, got '" + node.Scalar() + "'");
            }
          } else if constexpr (std::is_same_v<T, std::string>) {
            if (!node.IsScalar() && !node.IsNull()) fail(f.key, node, "must be a string");
            *target = node.IsNull() ? "" : node.Scalar();
            if (!f.choices.empty() && std::find(f.choices.begin(), f.choices.end(), *target) == f.choices.end()) {
              std::string list;
              for (const auto& c : f.choices) list += (list.empty() ? "" : ", ") + c;
              fail(f.key, node, "'" + *target + "' is not one of: " + list);
            }
          } else if constexpr (std::is_same_v<T, std::vector<int>> || std::is_same_v<T, std::vector<double>>) {
            // Lists are non-empty, except where [] means "none" (the first layer's boxcars: free kernels; the
            // sweep's optional extras).
            static const std::vector<std::string> optional_lists = {
                "model.first_layer_windows_ms", "sweep.first_kernels_ms", "sweep.plain_depths", "sweep.plain_widths",
                "sweep.learning_curve_fractions"};
            const bool may_be_empty = std::find(optional_lists.begin(), optional_lists.end(), f.key) != optional_lists.end();
            if (!node.IsSequence() || (node.size() == 0 && !may_be_empty))
              fail(f.key, node, may_be_empty ? "must be a list" : "must be a non-empty list");
            target->clear();
            for (const YAML::Node& item : node)
              target->push_back(static_cast<typename T::value_type>(number(f, item, std::is_same_v<T, std::vector<int>>)));
          } else if constexpr (std::is_same_v<T, RateRange>) {
            if (!node.IsSequence() || node.size() != 2) fail(f.key, node, "must be a range [low, high]");
            target->low = number(f, node[0], false);
            target->high = number(f, node[1], false);
            if (target->low > target->high) fail(f.key, node, "low must not exceed high");
          }
        },
        f.target);
  }

 private:
  std::string origin_;
  std::map<std::string, std::string> overridden_;
};

// Walks the document: every key must be in the schema (or a map on a path to one).
void check_keys(const YAML::Node& node, const std::string& prefix, const std::set<std::string>& keys,
                const std::set<std::string>& maps, const Reader& reader) {
  if (!node.IsMap()) {
    if (prefix.empty()) reader.fail("(top level)", node, "the configuration must be a mapping of keys");
    reader.fail(prefix, node, "must be a mapping of keys");
  }
  for (const auto& item : node) {
    const std::string name = item.first.Scalar();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (keys.count(key)) continue;
    if (maps.count(key)) {
      check_keys(item.second, key, keys, maps, reader);
      continue;
    }
    std::string best;
    std::size_t best_distance = 4;
    for (const std::string& k : keys) {
      const std::string tail = k.rfind(prefix.empty() ? "" : prefix + ".", 0) == 0 ? k.substr(prefix.empty() ? 0 : prefix.size() + 1) : "";
      if (tail.empty() || tail.find('.') != std::string::npos) continue;
      const std::size_t d = edit_distance(name, tail);
      if (d < best_distance) {
        best_distance = d;
        best = k;
      }
    }
    for (const std::string& m : maps) {
      if (m.rfind(prefix.empty() ? "" : prefix + ".", 0) != 0) continue;
      const std::string tail = m.substr(prefix.empty() ? 0 : prefix.size() + 1);
      if (tail.find('.') != std::string::npos) continue;
      const std::size_t d = edit_distance(name, tail);
      if (d < best_distance) {
        best_distance = d;
        best = m;
      }
    }
    reader.fail(key, item.first, "unknown key" + (best.empty() ? std::string() : " (did you mean '" + best + "'?)"));
  }
}

void set_path(YAML::Node root, const std::vector<std::string>& parts, const YAML::Node& value) {
  if (parts.size() == 1) {
    root[parts[0]] = value;
    return;
  }
  YAML::Node child = root[parts[0]];
  if (!child.IsMap()) {
    root[parts[0]] = YAML::Node(YAML::NodeType::Map);
    child = root[parts[0]];
  }
  set_path(child, std::vector<std::string>(parts.begin() + 1, parts.end()), value);
}

// The node at a dotted path, or nothing when a key on the way is absent.
std::optional<YAML::Node> find_path(const YAML::Node& root, const std::vector<std::string>& parts) {
  std::vector<YAML::Node> chain{root};
  for (const std::string& p : parts) {
    const YAML::Node& node = chain.back();
    if (!node.IsMap()) return std::nullopt;
    const YAML::Node child = node[p];
    if (!child.IsDefined()) return std::nullopt;
    chain.push_back(child);
  }
  return chain.back();
}

void emit_value(YAML::Emitter& y, const Field& f) {
  std::visit(
      [&](auto* target) {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, double>) {
          y << format_double(*target);
        } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, bool>) {
          y << *target;
        } else if constexpr (std::is_same_v<T, std::string>) {
          y << YAML::DoubleQuoted << *target;
        } else if constexpr (std::is_same_v<T, std::vector<int>>) {
          y << YAML::Flow << *target;
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          y << YAML::Flow << YAML::BeginSeq;
          for (double v : *target) y << format_double(v);
          y << YAML::EndSeq;
        } else if constexpr (std::is_same_v<T, RateRange>) {
          y << YAML::Flow << YAML::BeginSeq << format_double(target->low) << format_double(target->high) << YAML::EndSeq;
        }
      },
      f.target);
}

}  // namespace

namespace {

// Defaults of simulation.dt_ms, .scheme and .rate_tables per integration mode.
// neurotwin: Crank-Nicolson at dt 0.02 ms meets the converged targets on all
// five NEURON CVODE references (test_hay_cell; at 0.025 one of 25 spikes is
// 0.51 ms late). neuron-fixed: NEURON's defaults.
void apply_integration_preset(SimulationConfig& s) {
  const bool neuron = s.integration == "neuron-fixed";
  s.dt_ms = neuron ? 0.025 : 0.02;
  s.scheme = neuron ? "backward_euler" : "crank_nicolson";
  s.rate_tables = !neuron;
}

// Defaults of the training keys per recipe. "beniaguev": fit_CNN.py's
// schedule (250 epochs of 100 steps of 8 windows of 400 ms; learning rate
// and loss weights changing at epochs 40, 80, 120, 160), Nadam, Keras' L2 of
// 1e-8 (2e-8 on the gradient), 20 dendritic PCA components.
void apply_training_recipe(ExperimentConfig& c) {
  TrainingKeys& k = c.training_keys;
  TrainingConfig& t = c.training;
  if (k.recipe == "beniaguev") {
    k.optimizer = "nadam";
    k.stages.steps = {4000, 4000, 4000, 4000, 9000};
    k.stages.learning_rate = {1e-4, 3e-5, 1e-5, 3e-6, 1e-6};
    k.stages.spike_loss_weight = {1.0, 2.0, 4.0, 8.0, 9.0};
    k.stages.soma_loss_weight = {0.02, 0.01, 0.01, 0.01, 0.003};
    k.stages.dendrite_loss_weight = {5e-6, 3e-6, 1e-6, 1e-8, 1e-9};
    t.batch_size = 8;
    t.window_ms = 400;
    t.weight_decay = 2e-8;
    t.early_stopping_validations = 0;
    t.dendrite_pca_components = 20;
    t.validate_every = 100;
    t.checkpoint_every = 100;
  } else {
    k.optimizer = "adam";
    k.stages = StageTable{};
    t.batch_size = 16;
    t.window_ms = 200;
    t.weight_decay = 0;
    t.early_stopping_validations = 5;
    t.dendrite_pca_components = 0;
    t.validate_every = 100;
    t.checkpoint_every = 100;
  }
}

}  // namespace

VoltageScheme voltage_scheme(const SimulationConfig& s) {
  return s.scheme == "crank_nicolson" ? VoltageScheme::crank_nicolson : VoltageScheme::backward_euler;
}

ExperimentConfig::ExperimentConfig() {
  model.depth = 3;
  model.width = 24;
  model.first_kernel_ms = 100;
  model.kernel_ms = 15;
  model.input_pooling_band_um = 200;
  model.first_layer_windows_ms = {2, 5, 10, 20, 50, 100};
  model.detach_soma_head = true;
  apply_integration_preset(simulation);
  apply_training_recipe(*this);
}

std::string ExperimentConfig::resolved_data_dir() const {
  return data_dir.empty() ? (std::filesystem::path(output_dir) / "data").string() : data_dir;
}

ExperimentConfig load_config(const std::string& path, const std::vector<Override>& overrides) {
  YAML::Node doc(YAML::NodeType::Map);
  const std::string origin = path.empty() ? "(embedded defaults)" : path;
  if (!path.empty()) {
    if (!std::filesystem::exists(path)) throw InputError(path + ": no such configuration file");
    try {
      doc = YAML::LoadFile(path);
    } catch (const YAML::ParserException& e) {
      throw InputError(located(path, e.mark.line + 1, "YAML syntax error: " + e.msg));
    } catch (const YAML::Exception& e) {
      throw InputError(path + ": cannot read: " + e.what());
    }
    if (doc.IsNull()) doc = YAML::Node(YAML::NodeType::Map);
  }
  ExperimentConfig config;
  std::vector<Field> fields = schema(config);
  std::set<std::string> keys, maps;
  for (const Field& f : fields) {
    keys.insert(f.key);
    const auto parts = split_key(f.key);
    std::string prefix;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      prefix += (i ? "." : "") + parts[i];
      maps.insert(prefix);
    }
  }
  std::map<std::string, std::string> overridden;
  for (const Override& o : overrides) {
    if (!keys.count(o.key)) {
      YAML::Node probe(YAML::NodeType::Map);
      set_path(probe, split_key(o.key), YAML::Node(o.value));
      check_keys(probe, "", keys, maps, Reader("command line (--set " + o.key + "=" + o.value + ")", {}));
    }
    YAML::Node value;
    try {
      value = YAML::Load(o.value);
    } catch (const YAML::Exception& e) {
      throw InputError("command line (--set " + o.key + "=" + o.value + "): cannot parse the value: " + e.what());
    }
    if (!doc.IsMap()) break;
    set_path(doc, split_key(o.key), value);
    overridden[o.key] = o.value;
  }
  Reader reader(origin, overridden);
  check_keys(doc, "", keys, maps, reader);

  // The preset sets the protocol defaults before the other protocol keys.
  if (const auto preset = find_path(doc, {"protocol", "preset"})) {
    for (const Field& f : fields)
      if (f.key == "protocol.preset") reader.read(f, *preset);
  }
  config.protocol = InputProtocolConfig::preset(config.protocol_preset);
  // Likewise the integration mode and the training recipe.
  if (const auto integration = find_path(doc, {"simulation", "integration"})) {
    for (const Field& f : fields)
      if (f.key == "simulation.integration") reader.read(f, *integration);
  }
  apply_integration_preset(config.simulation);
  if (const auto recipe = find_path(doc, {"training", "recipe"})) {
    for (const Field& f : fields)
      if (f.key == "training.recipe") reader.read(f, *recipe);
  }
  apply_training_recipe(config);
  fields = schema(config);
  for (const Field& f : fields) {
    if (const auto node = find_path(doc, split_key(f.key))) reader.read(f, *node);
  }

  // Cross-field rules, reported against the key that breaks them.
  auto fail = [&](const std::string& key, const std::string& message) {
    const auto node = find_path(doc, split_key(key));
    reader.fail(key, node ? *node : YAML::Node(), message);
  };
  if (config.simulation.duration_ms != std::floor(config.simulation.duration_ms))
    fail("simulation.duration_ms", "must be a whole number of ms");
  if (config.training.targets.ignore_first_ms + config.training.window_ms > config.simulation.duration_ms)
    fail("training.window_ms", "window plus training.ignore_first_ms exceeds simulation.duration_ms");
  const StageTable& st = config.training_keys.stages;
  for (const auto& [key, size] : std::vector<std::pair<std::string, std::size_t>>{
           {"training.stages.learning_rate", st.learning_rate.size()},
           {"training.stages.spike_loss_weight", st.spike_loss_weight.size()},
           {"training.stages.soma_loss_weight", st.soma_loss_weight.size()},
           {"training.stages.dendrite_loss_weight", st.dendrite_loss_weight.size()}})
    if (size != st.steps.size())
      fail(key, "has " + std::to_string(size) + " entries but training.stages.steps has " + std::to_string(st.steps.size()) +
                    " (one entry per stage in every column)");
  if (st.steps.empty()) fail("training.stages.steps", "needs at least one stage");
  config.training.stages.clear();
  for (std::size_t i = 0; i < st.steps.size(); ++i) {
    TrainingStage stage;
    stage.steps = st.steps[i];
    stage.learning_rate = st.learning_rate[i];
    stage.loss.spike = st.spike_loss_weight[i];
    stage.loss.soma = st.soma_loss_weight[i];
    stage.loss.dendrite = st.dendrite_loss_weight[i];
    if (stage.loss.spike + stage.loss.soma + stage.loss.dendrite <= 0)
      fail("training.stages.spike_loss_weight", "stage " + std::to_string(i + 1) + " has all loss weights 0");
    config.training.stages.push_back(stage);
  }
  config.training.optimizer = parse_optimizer(config.training_keys.optimizer);
  config.training.input_layer = parse_input_layer(config.training_keys.input_layer);
  for (int w : config.model.first_layer_windows_ms)
    if (w > config.model.first_kernel_ms)
      fail("model.first_layer_windows_ms", "every window must fit in model.first_kernel_ms (" +
                                               std::to_string(config.model.first_kernel_ms) + ")");
  if (config.model.input_pooling_band_um > 0 && config.model.input_projection > 0)
    fail("model.input_pooling_band_um", "replaces the learned projection: set model.input_projection to 0");
  if (config.training.dendrite_pca_components > 0 && !config.simulation.store_dendritic_voltages)
    fail("training.dendrite_pca_components", "needs simulation.store_dendritic_voltages: true (the dendritic targets)");
  if (config.protocol.spatial_noise_low > config.protocol.spatial_noise_high)
    fail("protocol.spatial_noise_low", "must not exceed protocol.spatial_noise_high");
  config.protocol.duration_ms = config.simulation.duration_ms;
  try {
    config.protocol.validate();
    config.glm.validate();
    config.sweep.validate();
  } catch (const InputError& e) {
    throw InputError(origin + ": " + e.what());
  }
  config.cell.biophysics.excitatory =
      config.cell.excitatory_synapse == "ampa" ? ExcitatorySynapse::ampa : ExcitatorySynapse::nmda;
  config.cell.biophysics.excitatory_gmax_uS = config.cell.excitatory_gmax_nS * 1e-3;
  config.cell.biophysics.inhibitory_gmax_uS = config.cell.inhibitory_gmax_nS * 1e-3;
  config.training.seed = static_cast<std::uint64_t>(config.seed);
  if (config.output_dir.empty()) fail("output_dir", "must not be empty");
  if (config.export_.file.empty()) fail("export.file", "must not be empty");
  return config;
}

std::vector<Attribute> dataset_attributes(const ExperimentConfig& config_in) {
  ExperimentConfig config = config_in;
  std::vector<Attribute> out;
  for (const Field& f : schema(config)) {
    if (f.key != "seed" && f.key.rfind("cell.", 0) != 0 && f.key.rfind("simulation.", 0) != 0 &&
        f.key.rfind("protocol.", 0) != 0)
      continue;
    std::visit(
        [&](auto* target) {
          using T = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<T, double>) out.push_back({f.key, *target});
          else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::int64_t>)
            out.push_back({f.key, static_cast<std::int64_t>(*target)});
          else if constexpr (std::is_same_v<T, bool>) out.push_back({f.key, static_cast<std::int64_t>(*target ? 1 : 0)});
          else if constexpr (std::is_same_v<T, std::string>) out.push_back({f.key, *target});
          else if constexpr (std::is_same_v<T, RateRange>)
            out.push_back({f.key, "[" + format_double(target->low) + ", " + format_double(target->high) + "]"});
          else {
            std::string list;
            for (auto v : *target) list += (list.empty() ? "" : ", ") + format_double(static_cast<double>(v));
            out.push_back({f.key, "[" + list + "]"});
          }
        },
        f.target);
  }
  return out;
}

std::string results_yaml(const ExperimentConfig& config_in) {
  ExperimentConfig config = config_in;
  config.training.window_cache_mb = TrainingConfig{}.window_cache_mb;  // memory for decoded windows only
  return resolved_yaml(config);
}

std::string resolved_yaml(const ExperimentConfig& config_in) {
  ExperimentConfig config = config_in;
  const std::vector<Field> fields = schema(config);
  YAML::Emitter y;
  y << YAML::Comment("neurotwin resolved configuration: every key, as used. Rerun with: neurotwin run <this file>");
  y << YAML::BeginMap;
  std::vector<std::string> open;  // open map path
  for (const Field& f : fields) {
    const auto parts = split_key(f.key);
    const std::vector<std::string> dirs(parts.begin(), parts.end() - 1);
    std::size_t common = 0;
    while (common < open.size() && common < dirs.size() && open[common] == dirs[common]) ++common;
    while (open.size() > common) {
      y << YAML::EndMap;
      open.pop_back();
    }
    while (open.size() < dirs.size()) {
      y << YAML::Key << dirs[open.size()] << YAML::Value << YAML::BeginMap;
      open.push_back(dirs[open.size()]);
    }
    y << YAML::Key << parts.back() << YAML::Value;
    emit_value(y, f);
  }
  while (!open.empty()) {
    y << YAML::EndMap;
    open.pop_back();
  }
  y << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

}  // namespace neurotwin::cli
