// `neurotwin dataset plot`: PNG figures of a dataset file through PLplot's
// pngcairo driver: one simulation's input raster with the soma and recorded
// dendrite voltage underneath, and the distribution of output rates.
#include <plplot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/report/png_figure.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin::cli {

namespace fs = std::filesystem;

namespace {

void axes(double x0, double x1, double y0, double y1, const char* xopt, const char* ylabel, const char* title) {
  plcol0(1);
  plwind(x0, x1, y0, y1);
  plbox(xopt, 0, 0, "bcnstv", 0, 0);
  pllab("", ylabel, title);
}

void plot_simulation(const DatasetReader& reader, std::size_t k, const std::string& path, const PlotOptions& o) {
  const DatasetHeader& h = reader.header();
  const SimulationRecord r = reader.read(k);
  const double T = h.duration_ms / 1000.0;  // seconds
  const auto S = static_cast<double>(h.segments.size());
  PngFigure page(path, o.width_px, o.height_px);
  plschr(0, 0.8);

  // Input raster: channel (excitatory 0..S-1 below, inhibitory S..2S-1 above).
  plvpor(0.08, 0.97, 0.50, 0.93);
  char title[256];
  std::snprintf(title, sizeof title, "%s: simulation %lld (%s split), %zu input spikes, %zu output spikes",
                fs::path(reader.path()).filename().c_str(), static_cast<long long>(r.simulation_index), h.split.c_str(),
                r.input_times_ms.size(), r.output_spike_times_ms.size());
  axes(0, T, 0, 2 * S, "bcst", "input channel", title);
  std::vector<PLFLT> xe, ye, xi, yi;
  for (std::size_t i = 0; i < r.input_times_ms.size(); ++i) {
    const double t = static_cast<double>(r.input_times_ms[i]) / 1000.0;
    const double c = r.input_channels[i];
    (c < S ? xe : xi).push_back(t);
    (c < S ? ye : yi).push_back(c);
  }
  plcol0(2);
  if (!xe.empty()) plpoin(static_cast<PLINT>(xe.size()), xe.data(), ye.data(), 1);  // code 1: a dot
  plcol0(3);
  if (!xi.empty()) plpoin(static_cast<PLINT>(xi.size()), xi.data(), yi.data(), 1);
  plcol0(1);
  plmtex("r", 1.0, 0.25, 0.5, "exc");
  plmtex("r", 1.0, 0.75, 0.5, "inh");

  auto trace = [&](const std::vector<float>& v, double y0, double y1, int colour, const char* xopt, const char* label) {
    std::vector<PLFLT> x(v.size()), y(v.size());
    double lo = 1e9, hi = -1e9;
    for (std::size_t i = 0; i < v.size(); ++i) {
      x[i] = static_cast<double>(i) / 1000.0;
      y[i] = v[i];
      lo = std::min(lo, y[i]);
      hi = std::max(hi, y[i]);
    }
    if (!(hi > lo)) hi = lo + 1;
    const double pad = 0.05 * (hi - lo);
    plvpor(0.08, 0.97, y0, y1);
    axes(0, T, lo - pad, hi + pad, xopt, label, "");
    plcol0(colour);
    plline(static_cast<PLINT>(x.size()), x.data(), y.data());
  };
  const bool dendrite = !r.dendrite_v_mV.empty();
  trace(r.soma_v_mV, dendrite ? 0.29 : 0.08, 0.47, 1, dendrite ? "bcst" : "bcnst", "soma (mV)");
  if (dendrite) trace(r.dendrite_v_mV, 0.08, 0.26, 4, "bcnst", (h.dendrite_location + " (mV)").c_str());
  plcol0(1);
  plmtex("b", 3.2, 0.5, 0.5, "time (s)");
}

void plot_rates(const DatasetReader& reader, const std::string& path, const PlotOptions& o) {
  const DatasetHeader& h = reader.header();
  std::vector<PLFLT> rates;
  for (std::size_t k = 0; k < reader.simulation_count(); ++k)
    rates.push_back(static_cast<double>(reader.read_spikes(k).size()) / (h.duration_ms / 1000.0));
  double hi = 1;
  double mean = 0;
  for (double r : rates) {
    hi = std::max(hi, r);
    mean += r;
  }
  mean /= static_cast<double>(std::max<std::size_t>(1, rates.size()));
  hi = std::ceil(hi * 1.05);
  const int bins = std::clamp(static_cast<int>(std::sqrt(static_cast<double>(rates.size()))) * 2, 5, 40);
  std::vector<int> counts(static_cast<std::size_t>(bins), 0);
  for (double r : rates) counts[static_cast<std::size_t>(std::min(bins - 1, static_cast<int>(r / hi * bins)))] += 1;
  const int top = std::max(1, *std::max_element(counts.begin(), counts.end()));

  PngFigure page(path, o.width_px, o.height_px * 3 / 5);
  plschr(0, 0.9);
  plvpor(0.10, 0.95, 0.14, 0.88);
  char title[256];
  std::snprintf(title, sizeof title, "%s: output rate per simulation (%zu simulations, mean %.2f Hz)",
                fs::path(reader.path()).filename().c_str(), rates.size(), mean);
  plcol0(1);
  plwind(0, hi, 0, top * 1.1);
  plbox("bcnst", 0, 0, "bcnstv", 0, 0);
  pllab("output rate (Hz)", "simulations", title);
  const double width = hi / bins;
  for (int b = 0; b < bins; ++b) {
    if (counts[static_cast<std::size_t>(b)] == 0) continue;
    PLFLT x[4] = {b * width, b * width, (b + 1) * width, (b + 1) * width};
    PLFLT y[4] = {0, static_cast<double>(counts[static_cast<std::size_t>(b)]), static_cast<double>(counts[static_cast<std::size_t>(b)]), 0};
    plcol0(5);
    plfill(4, x, y);
    plcol0(1);
    plline(4, x, y);
  }
}

}  // namespace

int run_dataset_plot(const std::string& file, const PlotOptions& options) {
  const DatasetReader reader(file);
  if (options.simulation >= reader.simulation_count())
    throw InputError(file + ": --simulation " + std::to_string(options.simulation) + " out of range (the file holds " +
                     std::to_string(reader.simulation_count()) + ")");
  if (options.width_px < 200 || options.height_px < 200 || options.width_px > 10000 || options.height_px > 10000)
    throw InputError("dataset plot: --size must be between 200 and 10000 pixels per side");
  require_png_driver();
  std::string prefix = options.output_prefix;
  if (prefix.empty()) prefix = (fs::path(file).parent_path() / fs::path(file).stem()).string();
  if (!fs::path(prefix).parent_path().empty()) fs::create_directories(fs::path(prefix).parent_path());
  const std::string sim_path = prefix + "-sim" + std::to_string(options.simulation) + ".png";
  const std::string rates_path = prefix + "-output-rates.png";
  plot_simulation(reader, options.simulation, sim_path, options);
  plot_rates(reader, rates_path, options);
  std::printf("wrote %s\n  and %s\n", sim_path.c_str(), rates_path.c_str());
  return 0;
}

}  // namespace neurotwin::cli
