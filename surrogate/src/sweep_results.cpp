#include "neurotwin/surrogate/sweep_results.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/metrics.hpp"

namespace neurotwin {
namespace {

namespace fs = std::filesystem;

std::string number(double v) {
  if (!std::isfinite(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

double as_number(const YAML::Node& n) {
  const std::string s = n.Scalar();
  return s == "nan" ? std::nan("") : n.as<double>();
}

nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json metrics_object(const EvaluationMetrics& m) {
  return {{"spike_auc", json_number(m.spike_auc)},
          {"spike_auc_ci95", {json_number(m.spike_auc_ci_low), json_number(m.spike_auc_ci_high)}},
          {"tpr_at_fpr_0.25pct", json_number(m.tpr_at_fpr_0p25)},
          {"tpr_at_fpr_1pct", json_number(m.tpr_at_fpr_1)},
          {"operating_threshold", json_number(m.operating_threshold)},
          {"operating_fpr", json_number(m.operating_fpr)},
          {"operating_tpr", json_number(m.operating_tpr)},
          {"spikes_within_2ms", json_number(m.spikes_within_2ms)},
          {"spikes_within_5ms", json_number(m.spikes_within_5ms)},
          {"soma_rmse_mV", json_number(m.soma_rmse_mV)},
          {"soma_explained_variance", json_number(m.soma_explained_variance)},
          {"fci", json_number(functional_complexity_index(m.spike_auc))},
          {"simulations", m.simulations},
          {"bins", m.bins},
          {"spike_bins", m.spikes}};
}

}  // namespace

std::string SweepRow::name() const {
  if (is_glm()) return "glm";
  return "d" + std::to_string(depth) + "_w" + std::to_string(width) + (variant.empty() ? "" : "_" + variant);
}

void save_sweep_row(const SweepRow& r, const std::string& path) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "model" << YAML::Value << r.model;
  y << YAML::Key << "variant" << YAML::Value << r.variant;
  y << YAML::Key << "plain_tcn" << YAML::Value << r.plain_tcn;
  y << YAML::Key << "depth" << YAML::Value << r.depth << YAML::Key << "width" << YAML::Value << r.width;
  y << YAML::Key << "first_kernel_ms" << YAML::Value << r.first_kernel_ms << YAML::Key << "kernel_ms" << YAML::Value << r.kernel_ms;
  y << YAML::Key << "input_projection" << YAML::Value << r.input_projection;
  y << YAML::Key << "receptive_field_ms" << YAML::Value << r.receptive_field_ms;
  y << YAML::Key << "parameters" << YAML::Value << r.parameters << YAML::Key << "macs_per_ms" << YAML::Value << r.macs_per_ms;
  y << YAML::Key << "valid_auc" << YAML::Value << number(r.valid_auc);
  y << YAML::Key << "best_step" << YAML::Value << r.best_step;
  y << YAML::Key << "test_auc" << YAML::Value << number(r.test.spike_auc);
  y << YAML::Key << "test_auc_ci_low" << YAML::Value << number(r.test.spike_auc_ci_low);
  y << YAML::Key << "test_auc_ci_high" << YAML::Value << number(r.test.spike_auc_ci_high);
  y << YAML::Key << "test_tpr_at_fpr_0p25" << YAML::Value << number(r.test.tpr_at_fpr_0p25);
  y << YAML::Key << "test_tpr_at_fpr_1" << YAML::Value << number(r.test.tpr_at_fpr_1);
  y << YAML::Key << "test_soma_rmse_mV" << YAML::Value << number(r.test.soma_rmse_mV);
  y << YAML::Key << "test_soma_explained_variance" << YAML::Value << number(r.test.soma_explained_variance);
  y << YAML::Key << "operating_threshold" << YAML::Value << number(r.test.operating_threshold);
  y << YAML::Key << "test_operating_fpr" << YAML::Value << number(r.test.operating_fpr);
  y << YAML::Key << "test_operating_tpr" << YAML::Value << number(r.test.operating_tpr);
  y << YAML::Key << "test_spikes_within_2ms" << YAML::Value << number(r.test.spikes_within_2ms);
  y << YAML::Key << "test_spikes_within_5ms" << YAML::Value << number(r.test.spikes_within_5ms);
  y << YAML::Key << "test_simulations" << YAML::Value << r.test.simulations;
  y << YAML::Key << "test_bins" << YAML::Value << r.test.bins << YAML::Key << "test_spike_bins" << YAML::Value << r.test.spikes;
  y << YAML::Key << "training_seconds" << YAML::Value << number(r.training_seconds);
  y << YAML::Key << "model_path" << YAML::Value << r.model_path;
  y << YAML::EndMap;
  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp);
    out << y.c_str() << "\n";
    if (!out) throw InputError(path + ": cannot write");
  }
  fs::rename(tmp, path);
}

SweepRow load_sweep_row(const std::string& path) {
  try {
    const YAML::Node y = YAML::LoadFile(path);
    SweepRow r;
    r.model = y["model"] ? y["model"].as<std::string>() : "tcn";
    if (r.model != "tcn" && r.model != "glm") throw InputError(path + ": model '" + r.model + "' is neither tcn nor glm");
    r.variant = y["variant"] ? y["variant"].as<std::string>() : "";
    r.plain_tcn = y["plain_tcn"] && y["plain_tcn"].as<bool>();
    r.depth = y["depth"].as<int>();
    r.width = y["width"].as<int>();
    r.first_kernel_ms = y["first_kernel_ms"].as<int>();
    r.kernel_ms = y["kernel_ms"].as<int>();
    r.input_projection = y["input_projection"] ? y["input_projection"].as<int>() : 0;
    r.receptive_field_ms = y["receptive_field_ms"] ? y["receptive_field_ms"].as<int>() : 0;
    r.parameters = y["parameters"].as<std::int64_t>();
    r.macs_per_ms = y["macs_per_ms"].as<std::int64_t>();
    r.valid_auc = as_number(y["valid_auc"]);
    r.best_step = y["best_step"] ? y["best_step"].as<int>() : 0;
    r.test.spike_auc = as_number(y["test_auc"]);
    const auto optional = [&](const char* key) { return y[key] ? as_number(y[key]) : std::nan(""); };
    r.test.spike_auc_ci_low = optional("test_auc_ci_low");
    r.test.spike_auc_ci_high = optional("test_auc_ci_high");
    r.test.operating_threshold = optional("operating_threshold");
    r.test.operating_fpr = optional("test_operating_fpr");
    r.test.operating_tpr = optional("test_operating_tpr");
    r.test.spikes_within_2ms = optional("test_spikes_within_2ms");
    r.test.spikes_within_5ms = optional("test_spikes_within_5ms");
    r.test.simulations = y["test_simulations"] ? y["test_simulations"].as<std::size_t>() : 0;
    r.test.tpr_at_fpr_0p25 = as_number(y["test_tpr_at_fpr_0p25"]);
    r.test.tpr_at_fpr_1 = as_number(y["test_tpr_at_fpr_1"]);
    r.test.soma_rmse_mV = as_number(y["test_soma_rmse_mV"]);
    r.test.soma_explained_variance = as_number(y["test_soma_explained_variance"]);
    r.test.bins = y["test_bins"].as<std::size_t>();
    r.test.spikes = y["test_spike_bins"].as<std::size_t>();
    r.training_seconds = as_number(y["training_seconds"]);
    r.model_path = y["model_path"].as<std::string>();
    return r;
  } catch (const YAML::Exception& e) {
    throw InputError(path + ": unreadable sweep result (" + std::string(e.what()) + "); delete it to retrain that model");
  }
}

double glm_validation_auc(const std::vector<SweepRow>& rows) {
  for (const SweepRow& r : rows)
    if (r.is_glm() && std::isfinite(r.valid_auc)) return r.valid_auc;
  return std::nan("");
}

namespace {
// Above the GLM's validation AUC, or no GLM to beat.
bool above_glm(double valid_auc, double glm_valid_auc) { return !std::isfinite(glm_valid_auc) || valid_auc > glm_valid_auc; }
}  // namespace

bool beats_glm_on_validation(const std::vector<SweepRow>& rows, int index) {
  return above_glm(rows[static_cast<std::size_t>(index)].valid_auc, glm_validation_auc(rows));
}

int best_validation_network(const std::vector<SweepRow>& rows) {
  int best = -1;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (!rows[i].is_glm() && std::isfinite(rows[i].valid_auc) &&
        (best < 0 || rows[i].valid_auc > rows[static_cast<std::size_t>(best)].valid_auc))
      best = static_cast<int>(i);
  return best;
}

double choice_validation_floor(const std::vector<SweepRow>& rows, double auc_margin) {
  const int best = best_validation_network(rows);
  if (best < 0) return std::nan("");
  const double floor = rows[static_cast<std::size_t>(best)].valid_auc - auc_margin;
  const double glm = glm_validation_auc(rows);
  return std::isfinite(glm) ? std::max(floor, glm) : floor;
}

int choose_sweep_network(const std::vector<SweepRow>& rows, double auc_margin) {
  const int best = best_validation_network(rows);
  if (best < 0) return -1;
  const double floor = rows[static_cast<std::size_t>(best)].valid_auc - auc_margin;
  const double glm = glm_validation_auc(rows);
  int chosen = -1;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SweepRow& r = rows[i];
    if (r.is_glm() || !std::isfinite(r.valid_auc) || r.valid_auc < floor || !above_glm(r.valid_auc, glm)) continue;
    if (chosen < 0 || r.parameters < rows[static_cast<std::size_t>(chosen)].parameters) chosen = static_cast<int>(i);
  }
  return chosen >= 0 ? chosen : best;
}

std::string describe_sweep_selection(const std::vector<SweepRow>& rows, const std::string& name, double auc_margin) {
  const int chosen = choose_sweep_network(rows, auc_margin);
  const int best = best_validation_network(rows);
  std::ostringstream out;
  out.precision(4);
  const bool is_chosen = chosen >= 0 && rows[static_cast<std::size_t>(chosen)].name() == name;
  const bool is_best = best >= 0 && rows[static_cast<std::size_t>(best)].name() == name;
  if (is_chosen && beats_glm_on_validation(rows, chosen))
    out << "the sweep's choice: the fewest parameters among its networks within " << auc_margin
        << " validation AUC of the best and above the GLM baseline's";
  else if (is_chosen)
    out << "the sweep's choice by default: no network within " << auc_margin
        << " validation AUC of the best is above the GLM baseline's";
  if (is_best) out << (is_chosen ? "; and " : "") << "the highest validation AUC of the sweep";
  if (!is_chosen && !is_best) out << "a row of the sweep (neither its choice nor its highest validation AUC)";
  return out.str();
}

std::string sweep_results_csv(const std::vector<SweepRow>& rows, int chosen) {
  std::ostringstream csv;
  csv << "name,model,plain_tcn,depth,width,first_kernel_ms,kernel_ms,input_projection,receptive_field_ms,parameters,"
         "macs_per_ms,valid_auc,best_step,test_auc,test_auc_ci95_low,test_auc_ci95_high,test_fci,test_tpr_at_fpr_0.25pct,"
         "test_tpr_at_fpr_1pct,operating_threshold,test_operating_fpr,test_spikes_within_2ms,test_spikes_within_5ms,"
         "test_soma_rmse_mV,test_soma_explained_variance,training_seconds,chosen,model_path\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SweepRow& r = rows[i];
    csv << r.name() << ',' << r.model << ',' << (r.plain_tcn ? 1 : 0) << ',' << r.depth << ',' << r.width << ',' << r.first_kernel_ms << ',' << r.kernel_ms << ','
        << r.input_projection << ',' << r.receptive_field_ms << ',' << r.parameters << ',' << r.macs_per_ms << ','
        << number(r.valid_auc) << ',' << r.best_step << ',' << number(r.test.spike_auc) << ','
        << number(r.test.spike_auc_ci_low) << ',' << number(r.test.spike_auc_ci_high) << ','
        << number(functional_complexity_index(r.test.spike_auc)) << ',' << number(r.test.tpr_at_fpr_0p25)
        << ',' << number(r.test.tpr_at_fpr_1) << ',' << number(r.test.operating_threshold) << ','
        << number(r.test.operating_fpr) << ',' << number(r.test.spikes_within_2ms) << ','
        << number(r.test.spikes_within_5ms) << ',' << number(r.test.soma_rmse_mV) << ','
        << number(r.test.soma_explained_variance) << ',' << number(r.training_seconds) << ','
        << (static_cast<int>(i) == chosen ? 1 : 0) << ',' << r.model_path << '\n';
  }
  return csv.str();
}

std::string sweep_results_json(const std::vector<SweepRow>& rows, int chosen, double auc_margin) {
  nlohmann::json out;
  out["auc_margin"] = auc_margin;
  out["selection"] =
      "the TCN with the fewest parameters whose validation AUC is >= the best TCN's - auc_margin and > the GLM's; "
      "when none is above the GLM, the TCN with the highest validation AUC";
  out["chosen_beats_glm"] = chosen >= 0 && beats_glm_on_validation(rows, chosen);
  out["baseline"] = "glm: logistic (spike) and ridge (soma) regression on pooled, windowed input counts";
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SweepRow& r = rows[i];
    list.push_back({{"name", r.name()},
                    {"model", r.model},
                    {"plain_tcn", r.plain_tcn},
                    {"depth", r.depth},
                    {"width", r.width},
                    {"first_kernel_ms", r.first_kernel_ms},
                    {"kernel_ms", r.kernel_ms},
                    {"input_projection", r.input_projection},
                    {"receptive_field_ms", r.receptive_field_ms},
                    {"parameters", r.parameters},
                    {"macs_per_ms", r.macs_per_ms},
                    {"valid_auc", json_number(r.valid_auc)},
                    {"best_step", r.best_step},
                    {"test", metrics_object(r.test)},
                    {"training_seconds", json_number(r.training_seconds)},
                    {"chosen", static_cast<int>(i) == chosen},
                    {"model_path", r.model_path}});
  }
  out["rows"] = list;
  return out.dump(2) + "\n";
}

std::string sweep_results_table(const std::vector<SweepRow>& rows, int chosen) {
  double glm_test_auc = std::nan("");
  for (const SweepRow& r : rows)
    if (r.is_glm()) glm_test_auc = r.test.spike_auc;
  std::ostringstream o;
  char line[400];
  std::snprintf(line, sizeof line, "%-14s %5s %5s %8s %5s %9s %9s %9s %9s %15s %8s %8s %6s %6s %8s %8s %8s\n", "name",
                "depth", "width", "kernels", "input", "params", "MACs/ms", "validAUC", "testAUC", "95% CI", "TP@.25%",
                "TP@1%", "+-2ms", "+-5ms", "RMSE_mV", "ExplVar", "train_s");
  o << line;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SweepRow& r = rows[i];
    const std::string kernels =
        r.is_glm() ? std::to_string(r.receptive_field_ms) : std::to_string(r.first_kernel_ms) + "/" + std::to_string(r.kernel_ms);
    const std::string depth = r.is_glm() ? "-" : std::to_string(r.depth), width = r.is_glm() ? "-" : std::to_string(r.width);
    const std::string input = r.is_glm()               ? "pool"
                              : r.plain_tcn              ? "syn"
                              : r.input_projection > 0   ? "p" + std::to_string(r.input_projection)
                                                         : "pool";
    char interval[32];
    std::snprintf(interval, sizeof interval, "%.4f-%.4f", r.test.spike_auc_ci_low, r.test.spike_auc_ci_high);
    std::string mark;
    if (static_cast<int>(i) == chosen) mark = "  <- chosen";
    if (!r.is_glm() && std::isfinite(glm_test_auc) && !(r.test.spike_auc > glm_test_auc)) mark += "  (not above the GLM)";
    std::snprintf(line, sizeof line, "%-14s %5s %5s %8s %5s %9lld %9lld %9.4f %9.4f %15s %8.3f %8.3f %6.3f %6.3f %8.3f %8.3f %8.1f%s\n",
                  r.name().c_str(), depth.c_str(), width.c_str(), kernels.c_str(), input.c_str(),
                  static_cast<long long>(r.parameters), static_cast<long long>(r.macs_per_ms), r.valid_auc, r.test.spike_auc,
                  interval, r.test.tpr_at_fpr_0p25, r.test.tpr_at_fpr_1, r.test.spikes_within_2ms, r.test.spikes_within_5ms,
                  r.test.soma_rmse_mV, r.test.soma_explained_variance, r.training_seconds, mark.c_str());
    o << line;
  }
  return o.str();
}

std::string metrics_json(const EvaluationMetrics& m) { return metrics_object(m).dump(); }

std::string evaluation_json(const std::string& model_path, const std::string& test_path, const EvaluationMetrics& m) {
  const nlohmann::json out = {{"model", model_path}, {"test", test_path}, {"metrics", metrics_object(m)}};
  return out.dump(2) + "\n";
}

}  // namespace neurotwin
