#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace neurotwin {

// Area under the ROC curve of `scores` for binary `labels` (Mann-Whitney
// statistic with average ranks for tied scores). NaN when one class is empty.
double roc_auc(const std::vector<float>& scores, const std::vector<char>& labels);

// True-positive rate at a false-positive rate: the highest TPR among the ROC
// curve's points (one per distinct threshold) whose FPR does not exceed
// max_fpr. NaN when one class is empty.
double tpr_at_fpr(const std::vector<float>& scores, const std::vector<char>& labels, double max_fpr);

// The decision threshold of an operating point: the lowest score t such that
// calling every score >= t positive gives a false-positive rate <= max_fpr
// (the point tpr_at_fpr reports). +infinity when even the highest score
// exceeds it; NaN when one class is empty.
double threshold_at_fpr(const std::vector<float>& scores, const std::vector<char>& labels, double max_fpr);

// The ROC curve: one point per distinct threshold, from the highest
// threshold (fpr, tpr near 0) to the lowest (1, 1). Empty when one class is
// empty.
struct RocPoints {
  std::vector<double> fpr, tpr;
};
RocPoints roc_curve(const std::vector<float>& scores, const std::vector<char>& labels);

// A two-sided percentile interval.
struct Interval {
  double low = 0, high = 0;
};

// Percentile bootstrap interval (level, e.g. 0.95) of the ROC AUC when the
// independent units are groups of consecutive scores (simulations:
// group_sizes[g] scores each, in order), not single bins: each replicate
// draws as many groups as there are, with replacement, and scores the
// weighted union. Deterministic in `seed`. NaN bounds when one class is
// empty or fewer than two groups.
Interval bootstrap_auc_interval(const std::vector<float>& scores, const std::vector<char>& labels,
                                const std::vector<std::size_t>& group_sizes, int replicates, double level,
                                std::uint64_t seed);

// Spike-timing precision: the fraction of positive bins that have a score >=
// threshold within +-tolerance_bins bins of the same group (every bin at or
// above the threshold is a predicted spike). NaN without positives.
double fraction_detected_within(const std::vector<float>& scores, const std::vector<char>& labels,
                                const std::vector<std::size_t>& group_sizes, double threshold, std::size_t tolerance_bins);

// Functional complexity index of a spike predictor (Aizenbud et al.):
// log10(1000 (1 - AUC)) / log10(100): 1 at AUC 0.9, 0.5 at 0.99, 0 at 0.999;
// NaN for a non-finite AUC or AUC = 1.
double functional_complexity_index(double auc);

double rmse(const std::vector<float>& predicted, const std::vector<float>& target);
// 1 - Var(target - predicted) / Var(target) (as sklearn's explained_variance_score).
double explained_variance(const std::vector<float>& predicted, const std::vector<float>& target);

}  // namespace neurotwin
