#include "neurotwin/report/report_figures.hpp"

#include <plplot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "neurotwin/report/png_figure.hpp"
#include "neurotwin/surrogate/metrics.hpp"

namespace neurotwin {

namespace {

constexpr int kBlack = 1, kGrey = 5, kLightGrey = 8;

// A legend in the top-left (or bottom-right) corner of the current viewport: a short line (or marker) and text per entry.
struct LegendEntry {
  std::string text;
  int colour = kBlack;
  int line_style = 1;  // 0: no line, marker only
  double width = 1.5;
  const char* marker = nullptr;
};
void legend(const std::vector<LegendEntry>& entries, bool bottom_right = false) {
  PLFLT x0, x1, y0, y1;
  plgvpw(&x0, &x1, &y0, &y1);
  const double dx = x1 - x0, dy = y1 - y0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const LegendEntry& e = entries[i];
    const double y = bottom_right ? y0 + dy * (0.05 + 0.06 * static_cast<double>(entries.size() - 1 - i))
                                  : y1 - dy * (0.06 + 0.06 * static_cast<double>(i));
    const double xa = bottom_right ? x0 + dx * 0.50 : x0 + dx * 0.02, xb = xa + dx * 0.05;
    plcol0(e.colour);
    if (e.line_style > 0) {
      pllsty(e.line_style);
      plwidth(e.width);
      PLFLT xs[2] = {xa, xb}, ys[2] = {y, y};
      plline(2, xs, ys);
      pllsty(1);
      plwidth(1.0);
    }
    if (e.marker) {
      PLFLT xm = (xa + xb) / 2, ym = y;
      plstring(1, &xm, &ym, e.marker);
    }
    plcol0(kBlack);
    plptex(xb + dx * 0.01, y, 1, 0, 0.0, e.text.c_str());
  }
}

// A legend in a box of the page (normalized coordinates), entries from the top.
void legend_box(double vx0, double vx1, double vy0, double vy1, const std::vector<LegendEntry>& entries) {
  plvpor(vx0, vx1, vy0, vy1);
  plwind(0, 1, 0, 1);
  plschr(0, 0.65);
  const double step = entries.size() <= 2 ? 1.0 / static_cast<double>(std::max<std::size_t>(entries.size(), 1))
                                          : std::min(0.09, 1.0 / static_cast<double>(entries.size()));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const LegendEntry& e = entries[i];
    const double y = 1 - step * (static_cast<double>(i) + 0.5);
    plcol0(e.colour);
    if (e.line_style > 0) {
      pllsty(e.line_style);
      plwidth(e.width);
      PLFLT xs[2] = {0.0, 0.14}, ys[2] = {y, y};
      plline(2, xs, ys);
      pllsty(1);
      plwidth(1.0);
    }
    if (e.marker) {
      PLFLT xm = 0.07, ym = y;
      plstring(1, &xm, &ym, e.marker);
    }
    plcol0(kBlack);
    plptex(0.18, y, 1, 0, 0.0, e.text.c_str());
  }
  plschr(0, 0.75);
}

void page_title(const std::string& title, double y = 0.975) {
  plcol0(kBlack);
  plvpor(0, 1, 0, 1);
  plwind(0, 1, 0, 1);
  plschr(0, 1.0);
  plptex(0.5, y, 1, 0, 0.5, title.c_str());
  plschr(0, 0.75);
}

void frame(double x0, double x1, double y0, double y1, const char* xopt, const char* yopt, const char* xlabel,
           const char* ylabel, const char* title) {
  plcol0(kBlack);
  plwind(x0, x1, y0, y1);
  plbox(xopt, 0, 0, yopt, 0, 0);
  pllab(xlabel, ylabel, title);
}

void line(const std::vector<double>& x, const std::vector<double>& y, int colour, double width = 1.5, int style = 1) {
  if (x.size() < 2) return;
  plcol0(colour);
  plwidth(width);
  pllsty(style);
  std::vector<PLFLT> xs(x.begin(), x.end()), ys(y.begin(), y.end());
  plline(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
  pllsty(1);
  plwidth(1.0);
}

double finite_or(double v, double fallback) { return std::isfinite(v) ? v : fallback; }

// Axis range [lo, hi] of values, padded by `pad` of the span (at least `min_span`).
std::pair<double, double> padded_range(const std::vector<double>& values, double pad, double min_span) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values)
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!std::isfinite(lo)) return {0, 1};
  if (hi - lo < min_span) {
    const double mid = (hi + lo) / 2;
    lo = mid - min_span / 2;
    hi = mid + min_span / 2;
  }
  const double span = hi - lo;
  return {lo - pad * span, hi + pad * span};
}

// A point's width label ("w32") at (fx, fy), fractions of the plot.
struct WidthLabel {
  double fx, fy;
  std::string text;
  int colour;
};

// Puts each label beside its point where it covers no other label and no point: the first free place of
// right/left x above/below/level, then centred above/below, then further out (the first one if none is free).
void place_width_labels(const std::vector<WidthLabel>& labels, double x0, double x1, double y0, double y1) {
  constexpr double kWidth = 0.13, kHeight = 0.07, kGapX = 0.025, kMarker = 0.03;  // fractions of the plot ("w64")
  struct Box {
    double left, right, bottom, top;
    bool overlaps(const Box& o) const { return left < o.right && o.left < right && bottom < o.top && o.bottom < top; }
  };
  std::vector<Box> taken;
  for (const WidthLabel& l : labels) taken.push_back({l.fx - kMarker, l.fx + kMarker, l.fy - kMarker, l.fy + kMarker});
  const double offsets[][2] = {{1, 0.3}, {1, -1.3}, {-1, 0.3}, {-1, -1.3}, {1, -0.5}, {-1, -0.5},
                               {0.2, 0.9}, {0.2, -1.9}, {1, 1.2}, {1, -2.2}, {-1, 1.2}, {-1, -2.2}};
  for (const WidthLabel& l : labels) {
    Box chosen{};
    bool free = false;
    for (const auto& o : offsets) {
      const double left = o[0] > 0 ? l.fx + o[0] * kGapX + (o[0] < 1 ? -0.5 * kWidth : 0.0) : l.fx - kGapX - kWidth;
      const double bottom = l.fy + o[1] * kHeight;
      const Box box{left, left + kWidth, bottom, bottom + kHeight};
      const bool inside = box.left >= 0 && box.right <= 1 && box.bottom >= 0 && box.top <= 1;
      const bool clear = std::none_of(taken.begin(), taken.end(), [&](const Box& b) { return b.overlaps(box); });
      if (!free && inside && clear) {
        chosen = box;
        free = true;
      }
      if (&o == &offsets[0]) chosen = box;  // the fallback
    }
    taken.push_back(chosen);
    plcol0(l.colour);
    plptex(x0 + chosen.left * (x1 - x0), y0 + (chosen.bottom + 0.25 * kHeight) * (y1 - y0), 1, 0, 0.0, l.text.c_str());
  }
}

// FCI ticks on the right edge of an AUC axis (FCI = log10(1000 (1 - AUC)) / 2: AUC = 1 - 10^(2 FCI) / 1000).
void fci_axis(double auc_lo, double auc_hi) {
  plcol0(kBlack);
  const double step = (auc_hi - auc_lo) > 0.05 ? 0.1 : 0.05;
  // From the bottom (high FCI) up: FCI is logarithmic in 1 - AUC, so ticks crowd towards AUC 1; a tick
  // closer than 6 % of the axis to the last one drawn is left out.
  double last_pos = -1;
  for (double f = 1.5; f >= -0.5 - 1e-9; f -= step) {
    const double auc = 1 - std::pow(10.0, 2 * f) / 1000;
    if (auc <= auc_lo || auc >= auc_hi) continue;
    const double pos = (auc - auc_lo) / (auc_hi - auc_lo);
    if (last_pos >= 0 && pos - last_pos < 0.06) continue;
    last_pos = pos;
    char text[16];
    std::snprintf(text, sizeof text, "%.2f", std::abs(f) < 1e-9 ? 0.0 : f);
    plmtex("rv", 0.6, pos, 0.0, text);
    PLFLT x0, x1, y0, y1;
    plgvpw(&x0, &x1, &y0, &y1);
    PLFLT xs[2] = {x1 - (x1 - x0) * 0.012, x1}, ys[2] = {auc, auc};
    plline(2, xs, ys);
  }
  plmtex("r", 4.4, 0.5, 0.5, "FCI");  // beyond the widest tick label ("0.55")
}

struct Point {
  double x, y, lo, hi;
  std::size_t row;
};

// One panel of accuracy_vs_complexity: metric(row) against log10(xvalue(row)).
template <typename XOf, typename YOf>
std::vector<LegendEntry> complexity_panel(const SweepRecord& s, XOf x_of, YOf y_of, bool with_interval, bool with_fci, const char* xlabel,
                      const char* ylabel, const char* title) {
  std::map<std::pair<int, bool>, std::vector<Point>> by_depth;  // (depth, plain) -> points
  std::vector<double> xs, ys;
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const SweepRow& r = s.rows[i];
    if (r.is_glm()) continue;
    const double x = std::log10(std::max(1.0, x_of(r)));
    const double y = y_of(r);
    if (!std::isfinite(y)) continue;
    const double lo = with_interval ? finite_or(r.test.spike_auc_ci_low, y) : y;
    const double hi = with_interval ? finite_or(r.test.spike_auc_ci_high, y) : y;
    by_depth[{r.depth, r.plain_tcn}].push_back({x, y, lo, hi, i});
    xs.push_back(x);
    ys.push_back(lo);
    ys.push_back(hi);
  }
  const int glm = s.glm();
  const double glm_y = glm >= 0 ? y_of(s.rows[static_cast<std::size_t>(glm)]) : std::nan("");
  if (std::isfinite(glm_y)) ys.push_back(glm_y);
  auto [x0, x1] = padded_range(xs, 0.15, 0.5);
  // A log axis needs a decade boundary inside it to carry a label.
  if (std::floor(x1) - std::ceil(x0) < 0) {
    x0 = std::min(x0, std::floor(x0));
    x1 = std::max(x1, std::ceil(x1));
  }
  auto [y0, y1] = padded_range(ys, 0.12, 0.01);
  if (with_interval) y1 = std::min(y1, 1.0);
  frame(x0, x1, y0, y1, "bcnstl", with_fci ? "bnstv" : "bcnstv", xlabel, ylabel, title);
  if (with_fci) {
    plbox("", 0, 0, "c", 0, 0);
    fci_axis(y0, y1);
  }
  // The choice's band: validation AUCs the rule accepts, from the best network's minus the margin (or
  // the GLM's, when higher) up to the best's, drawn on the test axis.
  const int best = s.best_network();
  if (with_interval && best >= 0) {
    const double top = s.rows[static_cast<std::size_t>(best)].valid_auc,
                 bottom = std::min(top, choice_validation_floor(s.rows, s.auc_margin));
    PLFLT bx[4] = {x0, x1, x1, x0}, by[4] = {std::max(bottom, y0), std::max(bottom, y0), std::min(top, y1), std::min(top, y1)};
    plcol0(kLightGrey);
    plfill(4, bx, by);
    plcol0(kBlack);
    plbox("bcnstl", 0, 0, with_fci ? "bnstv" : "bcnstv", 0, 0);  // redraw the frame over the band
  }
  if (std::isfinite(glm_y)) line({x0, x1}, {glm_y, glm_y}, kGrey, 1.5, 2);
  std::size_t series = 0;
  std::vector<LegendEntry> entries;
  std::vector<WidthLabel> labels;
  for (auto& [key, points] : by_depth) {
    std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
    const int colour = key.second ? kGrey : PngFigure::series_colour(series++);
    std::vector<double> px, py;
    for (const Point& p : points) {
      px.push_back(p.x);
      py.push_back(p.y);
    }
    line(px, py, colour, 2.0, key.second ? 3 : 1);
    plcol0(colour);
    for (const Point& p : points) {
      PLFLT xx = p.x, yy = p.y, lo = p.lo, hi = p.hi;
      if (with_interval && hi > lo) plerry(1, &xx, &lo, &hi);
      plstring(1, &xx, &yy, key.second ? "■" : "●");
      labels.push_back({(p.x - x0) / (x1 - x0), (p.y - y0) / (y1 - y0), "w" + std::to_string(s.rows[p.row].width), colour});
    }
    char text[64];
    std::snprintf(text, sizeof text, key.second ? "plain TCN, depth %d" : "depth %d", key.first);
    entries.push_back({text, colour, key.second ? 3 : 1, 2.0, key.second ? "■" : "●"});
  }
  place_width_labels(labels, x0, x1, y0, y1);
  if (s.chosen >= 0) {
    const SweepRow& c = s.rows[static_cast<std::size_t>(s.chosen)];
    PLFLT xx = std::log10(std::max(1.0, x_of(c))), yy = y_of(c);
    plcol0(kBlack);
    plschr(0, 2.2);
    plstring(1, &xx, &yy, "○");
    plschr(0, 0.75);
    entries.push_back({"chosen", kBlack, 0, 1, "○"});
  }
  if (std::isfinite(glm_y)) entries.push_back({"GLM baseline", kGrey, 2, 1.5, nullptr});
  if (with_interval && best >= 0)
    entries.push_back({"choice band (validation)", kLightGrey, 1, 8.0, nullptr});
  return entries;
}

// Thins a ROC curve to at most ~1500 points evenly spread in log FPR.
void thin(std::vector<double>& fpr, std::vector<double>& tpr) {
  std::vector<double> f, t;
  double last = -10;
  for (std::size_t i = 0; i < fpr.size(); ++i) {
    const double lf = std::log10(std::max(fpr[i], 1e-6));
    if (i + 1 == fpr.size() || lf - last >= 0.003) {
      f.push_back(fpr[i]);
      t.push_back(tpr[i]);
      last = lf;
    }
  }
  fpr.swap(f);
  tpr.swap(t);
}

void set_diverging_colour_map() {
  PLFLT pos[3] = {0.0, 0.5, 1.0}, r[3] = {0.15, 1.0, 0.8}, g[3] = {0.3, 1.0, 0.1}, b[3] = {0.8, 1.0, 0.1};
  plscmap1n(256);
  plscmap1l(1, 3, pos, r, g, b, nullptr);
}

}  // namespace

double burst_window_start(const std::vector<double>& spikes_ms, double duration_ms, double length_ms, double from_ms) {
  double best_start = from_ms;
  std::size_t best = 0;
  for (double s : spikes_ms) {
    const double start = std::clamp(s - 50.0, from_ms, std::max(from_ms, duration_ms - length_ms));
    const auto count = static_cast<std::size_t>(
        std::count_if(spikes_ms.begin(), spikes_ms.end(), [&](double t) { return t >= start && t < start + length_ms; }));
    if (count > best) {
      best = count;
      best_start = start;
    }
  }
  return best_start;
}

void plot_accuracy_vs_complexity(const SweepRecord& s, const std::string& title, const std::string& path) {
  PngFigure page(path, 2000, 1400);
  page_title(title);
  auto params = [](const SweepRow& r) { return static_cast<double>(r.parameters); };
  auto macs = [](const SweepRow& r) { return static_cast<double>(r.macs_per_ms); };
  auto auc = [](const SweepRow& r) { return r.test.spike_auc; };
  auto tpr = [](const SweepRow& r) { return r.test.tpr_at_fpr_1; };
  plvpor(0.08, 0.31, 0.56, 0.89);
  const std::vector<LegendEntry> entries =
      complexity_panel(s, params, auc, true, true, "parameters", "test AUC (95% CI)", "test AUC against parameters");
  plvpor(0.46, 0.69, 0.56, 0.89);
  complexity_panel(s, macs, auc, true, true, "multiply-accumulates per ms", "test AUC (95% CI)", "test AUC against compute");
  plvpor(0.08, 0.31, 0.08, 0.40);
  complexity_panel(s, params, tpr, false, false, "parameters", "test TPR at 1% FPR", "true positives at 1% false positives");
  plvpor(0.46, 0.69, 0.08, 0.40);
  complexity_panel(s, macs, tpr, false, false, "multiply-accumulates per ms", "test TPR at 1% FPR",
                   "true positives at 1% false positives");
  legend_box(0.78, 0.995, 0.45, 0.89, entries);
  plvpor(0.78, 0.995, 0.08, 0.40);
  plwind(0, 1, 0, 1);
  plcol0(kBlack);
  const char* notes[] = {"labels: network width", "bars: 95% CI, bootstrap", "  over test simulations",
                         "FCI = log10(1000(1-AUC))/2"};
  plschr(0, 0.65);
  for (int i = 0; i < 4; ++i) plptex(0.0, 0.95 - 0.09 * i, 1, 0, 0.0, notes[i]);
  plschr(0, 0.75);
}

void plot_roc_curves(const std::vector<RocCurve>& curves_in, const std::string& title, const std::string& path) {
  PngFigure page(path, 1500, 1100);
  page_title(title);
  plvpor(0.09, 0.96, 0.09, 0.91);
  frame(-4, 0, 0, 1.0, "bcnstlg", "bcnstvg", "false-positive rate (per 1-ms bin, log)", "true-positive rate", "");
  for (double f : {0.0025, 0.01}) line({std::log10(f), std::log10(f)}, {0, 1}, kGrey, 1.0, 2);
  plcol0(kGrey);
  plptex(std::log10(0.0025), 0.02, 1, 0, 1.05, "0.25%");
  plptex(std::log10(0.01), 0.02, 1, 0, 1.05, "1%");
  std::vector<LegendEntry> entries;
  std::size_t series = 0;
  for (const RocCurve& c_in : curves_in) {
    RocCurve c = c_in;
    thin(c.fpr, c.tpr);
    std::vector<double> x, y;
    for (std::size_t i = 0; i < c.fpr.size(); ++i)
      if (c.fpr[i] >= 1e-4) {
        x.push_back(std::log10(c.fpr[i]));
        y.push_back(c.tpr[i]);
      }
    const int colour = c.highlighted ? kBlack : PngFigure::series_colour(series++);
    line(x, y, colour, c.highlighted ? 3.5 : 1.5);
    entries.push_back({c.label, colour, 1, c.highlighted ? 3.5 : 1.5, nullptr});
  }
  legend(entries);
}

void plot_predictions(const std::vector<PredictionTrace>& traces, double threshold, const std::string& title,
                      const std::string& path) {
  const std::size_t n = traces.size();
  const double height = 200.0 + 600.0 * static_cast<double>(n);
  PngFigure page(path, 1800, static_cast<int>(height));
  page_title(title, 1 - 30 / height);
  const double top = 1 - 120 / height, bottom = 0.02, per = (top - bottom) / static_cast<double>(std::max<std::size_t>(n, 1));
  const double legend_y0 = 1 - 95 / height, legend_y1 = 1 - 60 / height;
  legend_box(0.06, 0.40, legend_y0, legend_y1, {{"truth (ticks: spikes)", kBlack, 1, 1.0, nullptr}});
  legend_box(0.40, 0.76, legend_y0, legend_y1, {{"prediction: soma (clipped), P(spike)", 2, 1, 1.3, nullptr}});
  legend_box(0.76, 0.99, legend_y0, legend_y1, {{"operating threshold", kGrey, 2, 1.0, nullptr}});
  for (std::size_t k = 0; k < n; ++k) {
    const PredictionTrace& t = traces[k];
    const double base = top - per * static_cast<double>(k + 1);
    const double T = static_cast<double>(t.soma_true_mV.size()) / 1000.0;
    auto soma_panel = [&](double x_from_s, double x_to_s, double vx0, double vx1, double vy0, double vy1,
                          const std::string& panel_title) {
      std::vector<double> xs, yt, yp;
      double lo = 1e9, hi = -1e9;
      for (std::size_t i = 0; i < t.soma_true_mV.size(); ++i) {
        const double x = static_cast<double>(i) / 1000.0;
        if (x < x_from_s || x > x_to_s) continue;
        xs.push_back(x);
        yt.push_back(t.soma_true_mV[i]);
        yp.push_back(t.soma_predicted_mV[i]);
        lo = std::min({lo, yt.back(), yp.back()});
        hi = std::max({hi, yt.back(), yp.back()});
      }
      plvpor(vx0, vx1, vy0, vy1);
      frame(x_from_s, x_to_s, lo - 2, std::min(hi + 2, 45.0), "bcst", "bcnstv", "", "soma (mV)", panel_title.c_str());
      line(xs, yt, kBlack, 1.0);
      line(xs, yp, 2, 1.3);
    };
    // P(spike) axis: up to a little above this trace's largest probability (and the threshold), so that
    // probabilities of a few percent are visible; spike ticks sit in the top eighth.
    double p_max = std::isfinite(threshold) ? 1.5 * threshold : 0.0;
    for (float p : t.spike_probability) p_max = std::max(p_max, 1.15 * static_cast<double>(p));
    const double p_top = std::min(1.05, std::max(0.1, p_max));
    auto probability_panel = [&](double x_from_s, double x_to_s, double vx0, double vx1, double vy0, double vy1) {
      std::vector<double> xs, ps;
      for (std::size_t i = 0; i < t.spike_probability.size(); ++i) {
        const double x = static_cast<double>(i) / 1000.0;
        if (x < x_from_s || x > x_to_s) continue;
        xs.push_back(x);
        ps.push_back(t.spike_probability[i]);
      }
      plvpor(vx0, vx1, vy0, vy1);
      frame(x_from_s, x_to_s, 0, p_top, "bcnst", "bcnstv", "time (s)", "P(spike)", "");
      if (std::isfinite(threshold)) line({x_from_s, x_to_s}, {threshold, threshold}, kGrey, 1.0, 2);
      line(xs, ps, 2, 1.2);
      plcol0(kBlack);
      for (double s_ms : t.spike_times_ms) {
        const double x = s_ms / 1000.0;
        if (x < x_from_s || x > x_to_s) continue;
        PLFLT lx[2] = {x, x}, ly[2] = {0.875 * p_top, p_top};
        plline(2, lx, ly);
      }
    };
    const double z0 = t.zoom_start_ms / 1000.0, z1 = (t.zoom_start_ms + t.zoom_length_ms) / 1000.0;
    char zoom_title[64];
    std::snprintf(zoom_title, sizeof zoom_title, "zoom: %.1f-%.1f s", z0, z1);
    soma_panel(0, T, 0.08, 0.62, base + per * 0.47, base + per * 0.90, t.label);
    probability_panel(0, T, 0.08, 0.62, base + per * 0.20, base + per * 0.45);
    soma_panel(z0, z1, 0.715, 0.98, base + per * 0.47, base + per * 0.90, zoom_title);
    probability_panel(z0, z1, 0.715, 0.98, base + per * 0.20, base + per * 0.45);
  }
}

void plot_first_layer(const std::vector<FilterImage>& images, const std::vector<BandFilter>& bands, const std::string& title,
                      const std::string& path) {
  const std::size_t n = images.size();
  PngFigure page(path, 1800, 1400);
  page_title(title);
  set_diverging_colour_map();
  const double width = 0.88 / static_cast<double>(std::max<std::size_t>(n, 1));
  for (std::size_t k = 0; k < n; ++k) {
    const FilterImage& im = images[k];
    if (im.rows.empty() || im.rows.front().empty()) continue;
    const auto ny = static_cast<PLINT>(im.rows.size());
    const auto nx = static_cast<PLINT>(im.rows.front().size());
    double zmax = 1e-12;
    for (const auto& row : im.rows)
      for (double v : row) zmax = std::max(zmax, std::abs(v));
    // plimage wants data[x][y]: x = lag (time before the output bin), y = channel.
    std::vector<std::vector<PLFLT>> columns(static_cast<std::size_t>(nx), std::vector<PLFLT>(static_cast<std::size_t>(ny)));
    for (PLINT y = 0; y < ny; ++y)
      for (PLINT x = 0; x < nx; ++x)
        columns[static_cast<std::size_t>(x)][static_cast<std::size_t>(y)] =
            im.rows[static_cast<std::size_t>(y)][static_cast<std::size_t>(x)];
    std::vector<const PLFLT*> pointers;
    for (const auto& c : columns) pointers.push_back(c.data());
    const double vx0 = 0.09 + width * static_cast<double>(k), vx1 = vx0 + width * 0.8;
    plvpor(vx0, vx1, 0.47, 0.90);
    plcol0(kBlack);
    plwind(-0.5, nx - 0.5, -0.5, ny - 0.5);
    plimage(pointers.data(), nx, ny, -0.5, nx - 0.5, -0.5, ny - 0.5, -zmax, zmax, -0.5, nx - 0.5, -0.5, ny - 0.5);
    plbox("bcnst", 0, 0, "bcst", 0, 0);
    pllab("ms before output", k == 0 ? "synapses by distance from the soma" : "",
          im.title.c_str());
    // Tree boundaries, and each tree's name at its middle.
    for (PLINT y = 0; y < ny;) {
      PLINT end = y;
      while (end < ny && im.row_groups[static_cast<std::size_t>(end)] == im.row_groups[static_cast<std::size_t>(y)]) ++end;
      if (y > 0) line({-0.5, nx - 0.5}, {y - 0.5, y - 0.5}, kBlack, 1.5, 1);
      plcol0(kBlack);
      plptex(nx - 1.0, (y + end - 1) / 2.0, 1, 0, 1.0, im.row_groups[static_cast<std::size_t>(y)].c_str());
      y = end;
    }
    char scale[64];
    std::snprintf(scale, sizeof scale, "blue -%.2g ... red +%.2g", zmax, zmax);
    plmtex("b", 4.6, 0.5, 0.5, scale);
  }
  // Mean filter per distance band.
  std::vector<double> all;
  std::size_t lags = 0;
  for (const BandFilter& b : bands) {
    all.insert(all.end(), b.mean.begin(), b.mean.end());
    lags = std::max(lags, b.mean.size());
  }
  if (bands.empty() || lags == 0) return;
  auto [y0, y1] = padded_range(all, 0.1, 1e-9);
  plvpor(0.09, 0.72, 0.07, 0.30);
  frame(0, static_cast<double>(lags - 1), y0, y1, "bcnst", "bcnstv", "ms before the output bin", "mean weight",
        "mean filter per distance band (first unit)");
  std::vector<LegendEntry> entries;
  std::size_t exc = 0, inh = 0;
  for (const BandFilter& b : bands) {
    std::vector<double> x(b.mean.size());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
    const int colour = PngFigure::series_colour(b.inhibitory ? 4 + inh++ : exc++);
    line(x, b.mean, colour, 1.6, b.inhibitory ? 2 : 1);
    entries.push_back({b.label, colour, b.inhibitory ? 2 : 1, 1.6, nullptr});
  }
  legend_box(0.75, 0.995, 0.07, 0.30, entries);
}

// Line style of series i: solid for the first 8 (one colour each), then dashed styles, so that series
// sharing a colour stay apart.
namespace {
int series_style(std::size_t i) { return 1 + static_cast<int>((i / 8) % 8); }
}  // namespace

void plot_training_curves(const std::vector<std::pair<std::string, std::vector<TrainingLogRow>>>& logs,
                          const std::string& title, const std::string& path) {
  PngFigure page(path, 1600, 1200);
  page_title(title);
  std::vector<double> steps, losses, aucs, later_aucs;
  for (const auto& [name, rows] : logs)
    for (const TrainingLogRow& r : rows) {
      steps.push_back(r.step);
      losses.push_back(r.train_loss);
      aucs.push_back(r.valid_auc);
    }
  const double max_step = steps.empty() ? 1 : *std::max_element(steps.begin(), steps.end());
  // The validation axis spans the curves after their first tenth of the steps (the first validations,
  // far below, would squeeze the differences that matter into a sliver; they leave the frame at the bottom).
  for (const auto& [name, rows] : logs)
    for (const TrainingLogRow& r : rows)
      if (r.step >= 0.1 * max_step) later_aucs.push_back(r.valid_auc);
  auto [l0, l1] = padded_range(losses, 0.05, 0.1);
  auto [a0, a1] = padded_range(later_aucs.empty() ? aucs : later_aucs, 0.05, 0.02);
  a1 = std::min(a1, 1.0);
  plvpor(0.09, 0.78, 0.55, 0.92);
  frame(0, max_step, std::max(0.0, l0), l1, "bcst", "bcnstv", "", "mean training loss", "");
  // One line per network of the chosen column against step.
  auto draw = [&](double TrainingLogRow::*column) {
    for (std::size_t i = 0; i < logs.size(); ++i) {
      std::vector<double> x, y;
      for (const TrainingLogRow& r : logs[i].second) {
        x.push_back(r.step);
        y.push_back(r.*column);
      }
      line(x, y, PngFigure::series_colour(i), 1.5, series_style(i));
    }
  };
  draw(&TrainingLogRow::train_loss);
  plvpor(0.09, 0.78, 0.08, 0.48);
  frame(0, max_step, a0, a1, "bcnst", "bcnstv", "step", "validation AUC", "");
  draw(&TrainingLogRow::valid_auc);
  std::vector<LegendEntry> entries;
  for (std::size_t i = 0; i < logs.size(); ++i)
    entries.push_back({logs[i].first, PngFigure::series_colour(i), series_style(i), 1.5, nullptr});
  legend_box(0.81, 0.99, 0.3, 0.92, entries);
}

void plot_learning_curve(const std::vector<LearningCurvePoint>& points, double glm_test_auc, const std::string& title,
                         const std::string& path) {
  PngFigure page(path, 1400, 1000);
  page_title(title);
  std::vector<double> xs, ys;
  for (const LearningCurvePoint& p : points) {
    xs.push_back(std::log10(p.train_hours));
    ys.insert(ys.end(), {p.row.test.spike_auc, finite_or(p.row.test.spike_auc_ci_low, p.row.test.spike_auc),
                         finite_or(p.row.test.spike_auc_ci_high, p.row.test.spike_auc), p.row.valid_auc});
  }
  if (std::isfinite(glm_test_auc)) ys.push_back(glm_test_auc);
  const auto [x0, x1] = padded_range(xs, 0.15, 0.3);
  auto [y0, y1] = padded_range(ys, 0.1, 0.01);
  y1 = std::min(y1, 1.0);
  plvpor(0.1, 0.95, 0.1, 0.9);
  // The x axis is labelled at the curve's own points (a fraction of a decade rarely holds a power of ten).
  frame(x0, x1, y0, y1, "bcstl", "bcnstv", "simulated hours of training data (log axis)", "AUC", "");
  for (const LearningCurvePoint& p : points) {
    char hours[24];
    std::snprintf(hours, sizeof hours, "%g", p.train_hours);
    plmtex("b", 1.6, (std::log10(p.train_hours) - x0) / (x1 - x0), 0.5, hours);
  }
  std::vector<double> vx, vt, vv;
  for (const LearningCurvePoint& p : points) {
    PLFLT x = std::log10(p.train_hours), y = p.row.test.spike_auc;
    PLFLT lo = finite_or(p.row.test.spike_auc_ci_low, y), hi = finite_or(p.row.test.spike_auc_ci_high, y);
    plcol0(2);
    if (hi > lo) plerry(1, &x, &lo, &hi);
    plstring(1, &x, &y, "●");
    vx.push_back(x);
    vt.push_back(y);
    vv.push_back(p.row.valid_auc);
    char label[48];
    std::snprintf(label, sizeof label, "%d simulations", p.train_simulations);
    plcol0(kBlack);
    plptex(x, y - (y1 - y0) * 0.04, 1, 0, 0.5, label);
  }
  line(vx, vt, 2, 2.0);
  line(vx, vv, 3, 1.5, 2);
  if (std::isfinite(glm_test_auc)) line({x0, x1}, {glm_test_auc, glm_test_auc}, kGrey, 1.5, 3);
  legend({{"test AUC (95% CI over simulations)", 2, 1, 2.0, "●"},
          {"validation AUC", 3, 2, 1.5, nullptr},
          {"GLM baseline (all data, test)", kGrey, 3, 1.5, nullptr}},
         true);
}

}  // namespace neurotwin
