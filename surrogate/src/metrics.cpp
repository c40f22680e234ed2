#include "neurotwin/surrogate/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
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
