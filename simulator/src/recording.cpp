#include "neurotwin/simulator/recording.hpp"

#include <cmath>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

TraceRecorder::TraceRecorder(int node, double interval_ms, std::size_t count)
    : node_(node), interval_ms_(interval_ms), count_(count) {
  values_.reserve(count);
}

void TraceRecorder::sample(const Simulation& sim) {
  const double t = sim.time_ms();
  const double v = sim.voltage_mV(node_);
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

MultiTraceRecorder::MultiTraceRecorder(std::vector<int> nodes, double interval_ms, std::size_t count)
    : nodes_(std::move(nodes)), interval_ms_(interval_ms), count_(count), last_v_(nodes_.size(), 0.0),
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
      const double v = sim.voltage_mV(nodes_[i]);
      const double value = interpolate ? last_v_[i] + (v - last_v_[i]) * (tk - last_t_) / (t - last_t_) : v;
      values_[i * count_ + recorded_] = static_cast<float>(value);
    }
    ++recorded_;
  }
  // The previous step's voltages are needed only when the next grid point
  // falls inside the next step.
  const double next = static_cast<double>(recorded_) * interval_ms_;
  if (recorded_ < count_ && next <= t + sim.dt_ms() + eps)
    for (std::size_t i = 0; i < nodes_.size(); ++i) last_v_[i] = sim.voltage_mV(nodes_[i]);
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
  if (!(options.duration_ms >= 1.0)) throw InputError("simulation duration must be at least 1 ms");
  Simulation sim(cell, options.dt_ms);
  sim.set_voltage_scheme(options.scheme);
  sim.set_release_seed(options.release_seed);
  sim.set_inputs(std::move(inputs));
  sim.initialize();
  const auto samples_1ms = static_cast<std::size_t>(std::llround(std::floor(options.duration_ms + 1e-9)));
  TraceRecorder soma(cell.soma_node(), 1.0, samples_1ms);
  TraceRecorder soma8(cell.soma_node(), 0.125, 8 * samples_1ms);
  std::unique_ptr<TraceRecorder> dendrite;
  if (options.dendrite_node >= 0)
    dendrite = std::make_unique<TraceRecorder>(options.dendrite_node, 1.0, samples_1ms);
  std::unique_ptr<MultiTraceRecorder> segments;
  if (!options.segment_nodes.empty())
    segments = std::make_unique<MultiTraceRecorder>(options.segment_nodes, 1.0, samples_1ms);
  auto sample_all = [&] {
    soma.sample(sim);
    soma8.sample(sim);
    if (dendrite) dendrite->sample(sim);
    if (segments) segments->sample(sim);
  };
  sample_all();
  while (!soma8.done() || !soma.done() || (dendrite && !dendrite->done()) || (segments && !segments->done())) {
    sim.step();
    sample_all();
  }
  RunResult r;
  r.spike_times_ms = detect_spikes(soma8.values(), 0.125);
  r.soma_v_mV = soma.take();
  r.soma_v_8perms_mV = soma8.take();
  if (dendrite) r.dendrite_v_mV = dendrite->take();
  if (segments) r.segment_v_mV = segments->take();
  return r;
}

}  // namespace neurotwin
