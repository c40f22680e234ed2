#include "neurotwin/datasets/input_protocol.hpp"

#include <algorithm>
#include <cmath>

#include "neurotwin/datasets/random_stream.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {
namespace {

// Purposes of the random streams of one simulation (spec §9.2 draw order,
// split into independent streams so that no draw shifts another).
enum Purpose : std::uint64_t { kShape = 1, kRates = 2, kNoise = 3, kExcP = 4, kExcU = 5, kInhP = 6, kInhU = 7 };

double jitter(RandomStream& rng, double j) {
  // J = trunc(2j*u - j), toward zero (spec §9.2 step 1)
  return std::trunc(2.0 * j * rng.uniform() - j);
}

void check_range(const RateRange& r, const std::string& name, bool allow_negative) {
  if (!std::isfinite(r.low) || !std::isfinite(r.high) || r.low > r.high || (!allow_negative && r.low < 0))
    throw InputError("input protocol: " + name + " must be a range [low, high] with low <= high" +
                     (allow_negative ? "" : " and low >= 0"));
}

}  // namespace

InputProtocolConfig InputProtocolConfig::preset(const std::string& name) {
  InputProtocolConfig c;
  if (name == "nmda") return c;
  if (name == "ampa") {
    c.basal_excitation = {0, 1900};
    c.apical_excitation = {0, 2000};
    c.basal_inhibition_minus_excitation = {-1650, 150};
    c.apical_inhibition_minus_excitation = {-1650, 150};
    return c;
  }
  if (name == "ampa-sk") {  // AMPA with SK_E2 x 0.1 (spec §9.1, third column)
    c.basal_excitation = {0, 1900};
    c.apical_excitation = {0, 2000};
    c.basal_inhibition_minus_excitation = {-1500, 300};
    c.apical_inhibition_minus_excitation = {-1500, 300};
    return c;
  }
  throw InputError("unknown input protocol preset '" + name + "' (known: nmda, ampa, ampa-sk)");
}

void InputProtocolConfig::validate() const {
  if (!(duration_ms >= 1.0) || duration_ms != std::floor(duration_ms))
    throw InputError("input protocol: duration_ms must be a whole number of ms >= 1");
  if (!(length_regularizer_um >= 0)) throw InputError("input protocol: length_regularizer_um must be >= 0");
  if (rate_change_interval_options_ms.empty() || smoothing_sigma_options_ms.empty())
    throw InputError("input protocol: interval and smoothing option lists must not be empty");
  if (!(jitter_ms >= 0)) throw InputError("input protocol: jitter_ms must be >= 0");
  for (double d : rate_change_interval_options_ms)
    if (!(d - jitter_ms >= 1.0) || d != std::floor(d))
      throw InputError("input protocol: every rate change interval must be a whole number of ms above jitter_ms");
  for (double s : smoothing_sigma_options_ms)
    if (!(s - jitter_ms >= 1.0) || s != std::floor(s))
      throw InputError("input protocol: every smoothing sigma must be a whole number of ms above jitter_ms");
  check_range(basal_excitation, "basal_excitation", false);
  check_range(apical_excitation, "apical_excitation", false);
  check_range(basal_inhibition_minus_excitation, "basal_inhibition_minus_excitation", true);
  check_range(apical_inhibition_minus_excitation, "apical_inhibition_minus_excitation", true);
  if (!(spatial_noise_low >= 0) || !(spatial_noise_high >= spatial_noise_low))
    throw InputError("input protocol: spatial noise range must satisfy 0 <= low <= high");
}

double InputDrive::spike_probability(std::size_t row, std::size_t t) const {
  const double r = rate[row * bins + t];
  return r > 0 ? r * (1.0 - std::exp(-1.0 / r)) : 0.0;
}

InputProtocol::InputProtocol(const InputProtocolConfig& config, const CellModel& cell, std::uint64_t seed)
    : config_(config), seed_(seed) {
  config_.validate();
  if (cell.synapse_groups.size() != 2 || cell.synapse_groups[0].segments != cell.synapse_groups[1].segments)
    throw InputError("input protocol: the cell must have one excitatory and one inhibitory synapse per segment");
  const Discretization& geo = cell.geometry;
  for (int seg : cell.synapse_groups[0].segments) {
    const Segment& s = geo.segments.at(static_cast<std::size_t>(seg));
    const bool apical = geo.sections.at(static_cast<std::size_t>(s.section)).type == SectionType::apical;
    segment_length_um_.push_back(s.length_um);
    segment_is_apical_.push_back(apical ? 1 : 0);
    (apical ? apical_total_um_ : basal_total_um_) += s.length_um + config_.length_regularizer_um;
  }
}

InputDrive InputProtocol::drive(std::uint64_t simulation_index) const {
  const InputProtocolConfig& c = config_;
  RandomStream shape(seed_, simulation_index, kShape);
  // Steps 1-3: change interval, smoothing width, number of intervals.
  const double delta = c.rate_change_interval_options_ms[shape.below(c.rate_change_interval_options_ms.size())] +
                       jitter(shape, c.jitter_ms);
  const double sigma = c.smoothing_sigma_options_ms[shape.below(c.smoothing_sigma_options_ms.size())] +
                       jitter(shape, c.jitter_ms);
  const auto bins = static_cast<std::size_t>(c.duration_ms);
  const auto step = static_cast<std::size_t>(delta);
  const std::size_t intervals = (bins + step - 1) / step;

  // Step 4: per-interval tree rates (spikes per 100 ms per tree), whole vectors in order.
  RandomStream rates(seed_, simulation_index, kRates);
  auto draw = [&](const RateRange& r) {
    std::vector<double> v(intervals);
    for (double& x : v) x = rates.uniform(r.low, r.high);
    return v;
  };
  auto draw_inhibition = [&](const std::vector<double>& ex, const RateRange& diff) {
    std::vector<double> v(intervals);
    for (std::size_t k = 0; k < intervals; ++k) v[k] = rates.uniform(std::max(0.0, ex[k] + diff.low), ex[k] + diff.high);
    return v;
  };
  const std::vector<double> eb = draw(c.basal_excitation);
  const std::vector<double> ib = draw_inhibition(eb, c.basal_inhibition_minus_excitation);
  const std::vector<double> ea = draw(c.apical_excitation);
  const std::vector<double> ia = draw_inhibition(ea, c.apical_inhibition_minus_excitation);

  // Steps 5-6: per segment and interval, spikes per ms: rho * xi * (l_s + l_0), rho = E/(Lambda*100).
  const std::size_t n = segment_length_um_.size();
  RandomStream noise(seed_, simulation_index, kNoise);
  std::vector<double> r(2 * n * intervals);  // [interval][row]
  for (int inh = 0; inh < 2; ++inh)
    for (std::size_t s = 0; s < n; ++s)
      for (std::size_t k = 0; k < intervals; ++k) {
        const bool apical = segment_is_apical_[s] != 0;
        const double tree_rate = inh ? (apical ? ia[k] : ib[k]) : (apical ? ea[k] : eb[k]);
        const double rho = tree_rate / ((apical ? apical_total_um_ : basal_total_um_) * 100.0);
        const double xi = noise.uniform(c.spatial_noise_low, c.spatial_noise_high);
        r[k * 2 * n + static_cast<std::size_t>(inh) * n + s] = rho * xi * (segment_length_um_[s] + c.length_regularizer_um);
      }

  // Steps 7-8: expand to 1-ms bins and smooth with a normalized Gaussian of
  // M = 7 sigma + 1 samples, zero outside [0, T). Since the rates are
  // piecewise constant, the weight of interval k at bin t is a difference of
  // the cumulative window weights.
  const auto m_len = static_cast<std::size_t>(7.0 * sigma) + 1;
  std::vector<double> w(m_len);
  double w_sum = 0;
  for (std::size_t m = 0; m < m_len; ++m) {
    const double z = (static_cast<double>(m) - static_cast<double>(m_len - 1) / 2.0) / sigma;
    w[m] = std::exp(-0.5 * z * z);
    w_sum += w[m];
  }
  std::vector<double> cumulative(m_len + 1, 0.0);  // cumulative[j] = sum of w[0 .. j-1]
  for (std::size_t m = 0; m < m_len; ++m) cumulative[m + 1] = cumulative[m] + w[m] / w_sum;
  const auto centre = static_cast<long>((m_len - 1) / 2);
  InputDrive drive;
  drive.rate_change_interval_ms = delta;
  drive.smoothing_sigma_ms = sigma;
  drive.rows = 2 * n;
  drive.bins = bins;
  drive.rate.assign(drive.rows * bins, 0.0f);
  std::vector<double> acc(2 * n);
  for (std::size_t t = 0; t < bins; ++t) {
    // R~[t] = sum_m R[t + centre - m] w[m]; source bins u = t + centre - m, m in [0, M).
    const long u_hi = static_cast<long>(t) + centre;                // m = 0
    const long u_lo = static_cast<long>(t) + centre - static_cast<long>(m_len) + 1;  // m = M-1
    const long first_u = std::max(0L, u_lo), last_u = std::min(static_cast<long>(bins) - 1, u_hi);
    std::fill(acc.begin(), acc.end(), 0.0);
    if (first_u <= last_u) {
      for (auto k = static_cast<std::size_t>(first_u) / step; k * step <= static_cast<std::size_t>(last_u); ++k) {
        const long a = std::max(first_u, static_cast<long>(k * step));
        const long b = std::min(last_u, static_cast<long>((k + 1) * step) - 1);
        // source u in [a, b]  <=>  m in [t + centre - b, t + centre - a]
        const auto m0 = static_cast<std::size_t>(static_cast<long>(t) + centre - b);
        const auto m1 = static_cast<std::size_t>(static_cast<long>(t) + centre - a);
        const double weight = cumulative[m1 + 1] - cumulative[m0];
        const double* rk = &r[k * 2 * n];
        for (std::size_t row = 0; row < 2 * n; ++row) acc[row] += rk[row] * weight;
      }
    }
    for (std::size_t row = 0; row < 2 * n; ++row) drive.rate[row * bins + t] = static_cast<float>(acc[row]);
  }
  return drive;
}

std::vector<InputEvent> InputProtocol::events(std::uint64_t simulation_index, InputDrive* drive_out) const {
  InputDrive d = drive(simulation_index);
  const std::size_t n = segment_length_um_.size();
  std::vector<InputEvent> events;
  // Step 9: p ~ Exponential(mean R~), spike iff u < p; excitation then inhibition.
  for (int inh = 0; inh < 2; ++inh) {
    RandomStream p_stream(seed_, simulation_index, inh ? kInhP : kExcP);
    RandomStream u_stream(seed_, simulation_index, inh ? kInhU : kExcU);
    for (std::size_t s = 0; s < n; ++s) {
      const std::size_t row = static_cast<std::size_t>(inh) * n + s;
      const float* rate = &d.rate[row * d.bins];
      for (std::size_t t = 0; t < d.bins; ++t) {
        const double x = p_stream.uniform(), u = u_stream.uniform();
        if (input_released(static_cast<double>(rate[t]), x, u))
          events.push_back({static_cast<double>(t), static_cast<int>(row)});
      }
    }
  }
  std::sort(events.begin(), events.end(), [](const InputEvent& a, const InputEvent& b) {
    return a.time_ms < b.time_ms || (a.time_ms == b.time_ms && a.channel < b.channel);
  });
  if (drive_out) *drive_out = std::move(d);
  return events;
}

}  // namespace neurotwin
