#include "neurotwin/surrogate/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace neurotwin {
namespace {

void check_sizes(std::size_t a, std::size_t b) {
  if (a != b) throw std::invalid_argument("metrics: predictions and targets differ in length");
}

std::vector<std::size_t> order_by_score(const std::vector<float>& scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  return order;
}

double nan() { return std::numeric_limits<double>::quiet_NaN(); }

void check_groups(const std::vector<std::size_t>& group_sizes, std::size_t n) {
  if (std::accumulate(group_sizes.begin(), group_sizes.end(), std::size_t{0}) != n)
    throw std::invalid_argument("metrics: group sizes do not add up to the number of scores");
}

}  // namespace

double roc_auc(const std::vector<float>& scores, const std::vector<char>& labels) {
  check_sizes(scores.size(), labels.size());
  const std::vector<std::size_t> order = order_by_score(scores);
  double positives = 0, negatives = 0, positive_rank_sum = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;  // ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k) {
      if (labels[order[k]]) {
        positives += 1;
        positive_rank_sum += average_rank;
      } else {
        negatives += 1;
      }
    }
    i = j;
  }
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  return (positive_rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

double tpr_at_fpr(const std::vector<float>& scores, const std::vector<char>& labels, double max_fpr) {
  check_sizes(scores.size(), labels.size());
  std::vector<std::size_t> order = order_by_score(scores);
  std::reverse(order.begin(), order.end());  // highest score first
  double positives = 0, negatives = 0;
  for (char l : labels) (l ? positives : negatives) += 1;
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  double tp = 0, fp = 0, best = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      (labels[order[j]] ? tp : fp) += 1;
      ++j;
    }
    if (fp / negatives <= max_fpr) best = std::max(best, tp / positives);
    else break;
    i = j;
  }
  return best;
}

double threshold_at_fpr(const std::vector<float>& scores, const std::vector<char>& labels, double max_fpr) {
  check_sizes(scores.size(), labels.size());
  std::vector<std::size_t> order = order_by_score(scores);
  std::reverse(order.begin(), order.end());
  double negatives = 0;
  for (char l : labels) negatives += l ? 0 : 1;
  if (negatives == 0 || negatives == static_cast<double>(labels.size())) return nan();
  double fp = 0, threshold = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) fp += labels[order[j++]] ? 0 : 1;
    if (fp / negatives > max_fpr) break;
    threshold = scores[order[i]];
    i = j;
  }
  return threshold;
}

RocPoints roc_curve(const std::vector<float>& scores, const std::vector<char>& labels) {
  check_sizes(scores.size(), labels.size());
  std::vector<std::size_t> order = order_by_score(scores);
  std::reverse(order.begin(), order.end());
  double positives = 0, negatives = 0;
  for (char l : labels) (l ? positives : negatives) += 1;
  RocPoints roc;
  if (positives == 0 || negatives == 0) return roc;
  double tp = 0, fp = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) (labels[order[j++]] ? tp : fp) += 1;
    roc.fpr.push_back(fp / negatives);
    roc.tpr.push_back(tp / positives);
    i = j;
  }
  return roc;
}

Interval bootstrap_auc_interval(const std::vector<float>& scores, const std::vector<char>& labels,
                                const std::vector<std::size_t>& group_sizes, int replicates, double level,
                                std::uint64_t seed) {
  check_sizes(scores.size(), labels.size());
  check_groups(group_sizes, scores.size());
  const std::size_t groups = group_sizes.size();
  if (groups < 2 || replicates < 1) return {nan(), nan()};
  std::vector<std::uint32_t> group_of(scores.size());
  for (std::size_t g = 0, i = 0; g < groups; ++g)
    for (std::size_t k = 0; k < group_sizes[g]; ++k) group_of[i++] = static_cast<std::uint32_t>(g);
  // One sort; every replicate is a weighted Mann-Whitney sweep over it (ties count one half).
  const std::vector<std::size_t> order = order_by_score(scores);
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<std::size_t> pick(0, groups - 1);
  std::vector<double> weight(groups), aucs;
  aucs.reserve(static_cast<std::size_t>(replicates));
  for (int r = 0; r < replicates; ++r) {
    std::fill(weight.begin(), weight.end(), 0.0);
    for (std::size_t g = 0; g < groups; ++g) weight[pick(random)] += 1;
    double negatives_below = 0, positives = 0, pairs = 0;
    for (std::size_t i = 0; i < order.size();) {
      std::size_t j = i;
      double block_positives = 0, block_negatives = 0;
      while (j < order.size() && scores[order[j]] == scores[order[i]]) {
        const double w = weight[group_of[order[j]]];
        (labels[order[j]] ? block_positives : block_negatives) += w;
        ++j;
      }
      pairs += block_positives * (negatives_below + 0.5 * block_negatives);
      negatives_below += block_negatives;
      positives += block_positives;
      i = j;
    }
    if (positives > 0 && negatives_below > 0) aucs.push_back(pairs / (positives * negatives_below));
  }
  if (aucs.size() < 2) return {nan(), nan()};
  std::sort(aucs.begin(), aucs.end());
  auto quantile = [&](double q) {  // linear interpolation between order statistics
    const double x = q * static_cast<double>(aucs.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(x));
    const std::size_t hi = std::min(lo + 1, aucs.size() - 1);
    return aucs[lo] + (x - static_cast<double>(lo)) * (aucs[hi] - aucs[lo]);
  };
  return {quantile((1 - level) / 2), quantile((1 + level) / 2)};
}

double fraction_detected_within(const std::vector<float>& scores, const std::vector<char>& labels,
                                const std::vector<std::size_t>& group_sizes, double threshold, std::size_t tolerance_bins) {
  check_sizes(scores.size(), labels.size());
  check_groups(group_sizes, scores.size());
  double positives = 0, detected = 0;
  std::size_t start = 0;
  for (std::size_t size : group_sizes) {
    for (std::size_t t = 0; t < size; ++t) {
      if (!labels[start + t]) continue;
      positives += 1;
      const std::size_t lo = t >= tolerance_bins ? t - tolerance_bins : 0;
      const std::size_t hi = std::min(size - 1, t + tolerance_bins);
      for (std::size_t u = lo; u <= hi; ++u)
        if (static_cast<double>(scores[start + u]) >= threshold) {
          detected += 1;
          break;
        }
    }
    start += size;
  }
  return positives > 0 ? detected / positives : nan();
}

double rmse(const std::vector<float>& predicted, const std::vector<float>& target) {
  check_sizes(predicted.size(), target.size());
  if (target.empty()) return std::numeric_limits<double>::quiet_NaN();
  double se = 0;
  for (std::size_t i = 0; i < target.size(); ++i) {
    const double d = static_cast<double>(predicted[i]) - static_cast<double>(target[i]);
    se += d * d;
  }
  return std::sqrt(se / static_cast<double>(target.size()));
}

double explained_variance(const std::vector<float>& predicted, const std::vector<float>& target) {
  check_sizes(predicted.size(), target.size());
  const auto n = static_cast<double>(target.size());
  if (target.empty()) return std::numeric_limits<double>::quiet_NaN();
  double mean_t = 0, mean_r = 0;
  for (std::size_t i = 0; i < target.size(); ++i) {
    mean_t += static_cast<double>(target[i]);
    mean_r += static_cast<double>(target[i]) - static_cast<double>(predicted[i]);
  }
  mean_t /= n;
  mean_r /= n;
  double var_t = 0, var_r = 0;
  for (std::size_t i = 0; i < target.size(); ++i) {
    const double t = static_cast<double>(target[i]) - mean_t;
    const double r = static_cast<double>(target[i]) - static_cast<double>(predicted[i]) - mean_r;
    var_t += t * t;
    var_r += r * r;
  }
  if (var_t == 0) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 - var_r / var_t;
}

double functional_complexity_index(double auc) {
  if (!std::isfinite(auc) || !(auc < 1)) return std::numeric_limits<double>::quiet_NaN();
  return std::log10(1000 * (1 - auc)) / std::log10(100.0);
}

}  // namespace neurotwin
