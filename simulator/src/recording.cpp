#include "neurotwin/simulator/recording.hpp"

#include <cmath>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

TraceRecorder::TraceRecorder(int node, double interval_ms, std::size_t count, std::size_t lane)
    : node_(node), interval_ms_(interval_ms), count_(count), lane_(lane) {
  values_.reserve(count);
}

void TraceRecorder::sample(const Simulation& sim) {
  const double t = sim.time_ms();
  const double v = sim.voltage_mV(node_, lane_);
  // Tolerance for grid points that rounding puts a hair past a step time.
  const double eps = 1e-9 * sim.dt_ms();
  while (values_.size() < count_) {
    const double tk = static_cast<double>(values_.size()) * interval_ms_;
    if (tk > t + eps) break;
    double value = v;
    if (last_t_ >= 0 && tk < t && t > last_t_) value = last_v_ + (v - last_v_) * (tk - last_t_) / (t - last_t_);
    values_.push_back(static_cast<float>(value));
  }
  last_t_ = t;
  last_v_ = v;
}

MultiTraceRecorder::MultiTraceRecorder(std::vector<int> nodes, double interval_ms, std::size_t count, std::size_t lane)
    : nodes_(std::move(nodes)), interval_ms_(interval_ms), count_(count), lane_(lane), last_v_(nodes_.size(), 0.0),
      values_(nodes_.size() * count, 0.0f) {}

void MultiTraceRecorder::sample(const Simulation& sim) {
  const double t = sim.time_ms();
  const double eps = 1e-9 * sim.dt_ms();
  // Same interpolation rule as TraceRecorder::sample, for every node at once.
  while (recorded_ < count_) {
    const double tk = static_cast<double>(recorded_) * interval_ms_;
    if (tk > t + eps) break;
    const bool interpolate = last_t_ >= 0 && tk < t && t > last_t_;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      const double v = sim.voltage_mV(nodes_[i], lane_);
      const double value = interpolate ? last_v_[i] + (v - last_v_[i]) * (tk - last_t_) / (t - last_t_) : v;
      values_[i * count_ + recorded_] = static_cast<float>(value);
    }
    ++recorded_;
  }
  // The previous step's voltages are needed only when the next grid point
  // falls inside the next step.
  const double next = static_cast<double>(recorded_) * interval_ms_;
  if (recorded_ < count_ && next <= t + sim.dt_ms() + eps)
    for (std::size_t i = 0; i < nodes_.size(); ++i) last_v_[i] = sim.voltage_mV(nodes_[i], lane_);
  last_t_ = t;
}

namespace {
template <typename T>
std::vector<double> local_maxima_above(const std::vector<T>& trace, double interval_ms, double threshold_mV) {
  std::vector<double> spikes;
  for (std::size_t k = 1; k + 1 < trace.size(); ++k) {
    if (trace[k] - trace[k - 1] > T{0} && trace[k + 1] - trace[k] < T{0} && static_cast<double>(trace[k]) > threshold_mV)
      spikes.push_back(static_cast<double>(k) * interval_ms);
  }
  return spikes;
}
}  // namespace

std::vector<double> detect_spikes(const std::vector<float>& trace, double interval_ms, double threshold_mV) {
  return local_maxima_above(trace, interval_ms, threshold_mV);
}
std::vector<double> detect_spikes(const std::vector<double>& trace, double interval_ms, double threshold_mV) {
  return local_maxima_above(trace, interval_ms, threshold_mV);
}

RunResult run_cell(const CellModel& cell, std::vector<InputEvent> inputs, const RunOptions& options) {
  std::vector<std::vector<InputEvent>> one;
  one.push_back(std::move(inputs));
  return std::move(run_cells(cell, std::move(one), options, {options.release_seed}).front());
}

std::vector<RunResult> run_cells(const CellModel& cell, std::vector<std::vector<InputEvent>> inputs, const RunOptions& options,
                                 const std::vector<std::uint64_t>& release_seeds) {
  if (!(options.duration_ms >= 1.0)) throw InputError("simulation duration must be at least 1 ms");
  const std::size_t lanes = inputs.size();
  if (lanes == 0 || release_seeds.size() != lanes) throw InputError("run_cells: one release seed per input set, at least one");
  Simulation sim(cell, options.dt_ms, lanes);
  sim.set_voltage_scheme(options.scheme);
  for (std::size_t l = 0; l < lanes; ++l) {
    sim.set_release_seed(release_seeds[l], l);
    sim.set_inputs(l, std::move(inputs[l]));
  }
  sim.initialize();
  const auto samples_1ms = static_cast<std::size_t>(std::llround(std::floor(options.duration_ms + 1e-9)));
  struct Recorders {
    TraceRecorder soma, soma8;
    std::unique_ptr<TraceRecorder> dendrite;
    std::unique_ptr<MultiTraceRecorder> segments;
  };
  std::vector<Recorders> rec;
  rec.reserve(lanes);
  for (std::size_t l = 0; l < lanes; ++l) {
    rec.push_back({TraceRecorder(cell.soma_node(), 1.0, samples_1ms, l), TraceRecorder(cell.soma_node(), 0.125, 8 * samples_1ms, l),
                   nullptr, nullptr});
    if (options.dendrite_node >= 0)
      rec.back().dendrite = std::make_unique<TraceRecorder>(options.dendrite_node, 1.0, samples_1ms, l);
    if (!options.segment_nodes.empty())
      rec.back().segments = std::make_unique<MultiTraceRecorder>(options.segment_nodes, 1.0, samples_1ms, l);
  }
  auto sample_all = [&] {
    for (Recorders& r : rec) {
      r.soma.sample(sim);
      r.soma8.sample(sim);
      if (r.dendrite) r.dendrite->sample(sim);
      if (r.segments) r.segments->sample(sim);
    }
  };
  auto done = [&] {
    const Recorders& r = rec.front();  // every lane records the same grids
    return r.soma8.done() && r.soma.done() && (!r.dendrite || r.dendrite->done()) && (!r.segments || r.segments->done());
  };
  sample_all();
  while (!done()) {
    sim.step();
    sample_all();
  }
  std::vector<RunResult> results(lanes);
  for (std::size_t l = 0; l < lanes; ++l) {
    RunResult& r = results[l];
    r.spike_times_ms = detect_spikes(rec[l].soma8.values(), 0.125);
    r.soma_v_mV = rec[l].soma.take();
    r.soma_v_8perms_mV = rec[l].soma8.take();
    if (rec[l].dendrite) r.dendrite_v_mV = rec[l].dendrite->take();
    if (rec[l].segments) r.segment_v_mV = rec[l].segments->take();
  }
  return results;
}

}  // namespace neurotwin
