#include "neurotwin/surrogate/sweep_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/metrics.hpp"

namespace neurotwin {

namespace {

std::string number(double v) {
  if (!std::isfinite(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void SweepSpec::validate() const {
  if (depths.empty() || widths.empty()) throw InputError("sweep.depths and sweep.widths must not be empty");
  if (plain_depths.empty() != plain_widths.empty())
    throw InputError("sweep.plain_depths and sweep.plain_widths: give both or neither");
  for (double f : learning_curve_fractions)
    if (!(f > 0 && f <= 1)) throw InputError("sweep.learning_curve_fractions: " + number(f) + " is not in (0, 1]");
  if (learning_curve_network != "chosen" && learning_curve_network != "best")
    throw InputError("sweep.learning_curve_network: \"" + learning_curve_network + "\" is not one of: chosen, best");
}

std::vector<SweepRow> plan_sweep(const SweepSpec& spec, const TcnConfig& model) {
  std::vector<SweepRow> plan;
  SweepRow glm;
  glm.model = "glm";
  plan.push_back(glm);
  const std::vector<int> first_kernels =
      spec.first_kernels_ms.empty() ? std::vector<int>{model.first_kernel_ms} : spec.first_kernels_ms;
  for (int first_kernel : first_kernels)
    for (int depth : spec.depths)
      for (int width : spec.widths) {
        SweepRow row;
        row.depth = depth;
        row.width = width;
        row.first_kernel_ms = first_kernel;
        row.kernel_ms = model.kernel_ms;
        row.input_projection = model.input_projection;
        if (first_kernels.size() > 1) row.variant = "k" + std::to_string(first_kernel);
        plan.push_back(row);
      }
  for (int depth : spec.plain_depths)
    for (int width : spec.plain_widths) {
      SweepRow row;
      row.depth = depth;
      row.width = width;
      row.first_kernel_ms = model.first_kernel_ms;
      row.kernel_ms = model.kernel_ms;
      row.plain_tcn = true;
      row.variant = "plain";
      plan.push_back(row);
    }
  return plan;
}

TcnConfig row_model_config(const SweepRow& row, const TcnConfig& base) {
  TcnConfig c = base;
  c.depth = row.depth;
  c.width = row.width;
  c.first_kernel_ms = row.first_kernel_ms;
  c.kernel_ms = row.kernel_ms;
  if (row.plain_tcn) {
    c.input_projection = 0;
    c.fixed_projection = false;
    c.input_pooling_band_um = 0;
    c.first_layer_windows_ms.clear();
    c.detach_soma_head = false;
  } else if (!c.first_layer_windows_ms.empty()) {
    // Boxcar first layers: the windows longer than the first kernel are dropped, and the kernel is the longest window.
    std::vector<int> windows;
    for (int w : c.first_layer_windows_ms)
      if (w <= c.first_kernel_ms) windows.push_back(w);
    if (windows.empty() || windows.back() != c.first_kernel_ms) windows.push_back(c.first_kernel_ms);
    std::sort(windows.begin(), windows.end());
    windows.erase(std::unique(windows.begin(), windows.end()), windows.end());
    c.first_layer_windows_ms = windows;
  }
  return c;
}

double row_cost(const SweepRow& row, const TcnConfig& base) {
  if (row.is_glm()) return 1;
  const TcnConfig c = row_model_config(row, base);
  // Channels the first layer convolves: the pooled groups (a few dozen) or every synapse.
  const double first_inputs = c.input_pooling_band_um > 0 ? 32.0 : c.input_projection > 0 ? c.input_projection : c.input_channels;
  const double first_taps = c.first_layer_windows_ms.empty() ? c.first_kernel_ms : static_cast<double>(c.first_layer_windows_ms.size());
  return first_inputs * c.width * first_taps + (c.depth - 1) * static_cast<double>(c.width) * c.width * c.kernel_ms + c.width;
}

std::vector<int> assign_rows_to_shards(const std::vector<double>& cost, int shards) {
  if (shards < 1) throw InputError("assign_rows_to_shards: no shards");
  std::vector<std::size_t> order(cost.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cost[a] > cost[b]; });
  std::vector<double> load(static_cast<std::size_t>(shards), 0.0);
  std::vector<int> shard_of(cost.size(), 0);
  for (std::size_t i : order) {
    const auto least = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    shard_of[i] = static_cast<int>(least);
    load[least] += cost[i];
  }
  return shard_of;
}

std::vector<int> learning_curve_sizes(const std::vector<double>& fractions, int train_simulations) {
  std::vector<int> sizes;
  for (double f : fractions)
    sizes.push_back(std::max(1, static_cast<int>(std::lround(f * static_cast<double>(train_simulations)))));
  return sizes;
}

std::string learning_curve_csv(const std::vector<LearningCurvePoint>& points) {
  std::ostringstream csv;
  csv << "name,fraction,train_simulations,train_hours,valid_auc,test_auc,test_auc_ci95_low,test_auc_ci95_high,test_fci,"
         "test_tpr_at_fpr_1pct,test_spikes_within_5ms,training_seconds,model_path\n";
  for (const LearningCurvePoint& p : points)
    csv << p.row.name() << ',' << number(p.fraction) << ',' << p.train_simulations << ',' << number(p.train_hours) << ','
        << number(p.row.valid_auc) << ',' << number(p.row.test.spike_auc) << ',' << number(p.row.test.spike_auc_ci_low)
        << ',' << number(p.row.test.spike_auc_ci_high) << ',' << number(functional_complexity_index(p.row.test.spike_auc))
        << ',' << number(p.row.test.tpr_at_fpr_1) << ',' << number(p.row.test.spikes_within_5ms) << ','
        << number(p.row.training_seconds) << ',' << p.row.model_path << '\n';
  return csv.str();
}

}  // namespace neurotwin
