#pragma once
#include <vector>

namespace neurotwin {

// Area under the ROC curve of `scores` for binary `labels` (Mann-Whitney
// statistic with average ranks for tied scores). NaN when one class is empty.
double roc_auc(const std::vector<float>& scores, const std::vector<char>& labels);

// True-positive rate at a false-positive rate: the highest TPR among the ROC
// curve's points (one per distinct threshold) whose FPR does not exceed
// max_fpr. NaN when one class is empty.
double tpr_at_fpr(const std::vector<float>& scores, const std::vector<char>& labels, double max_fpr);

// Functional complexity index of a spike predictor (Aizenbud et al.):
// log10(1000 (1 - AUC)) / log10(100): 1 at AUC 0.9, 0.5 at 0.99, 0 at 0.999;
// NaN for a non-finite AUC or AUC = 1.
double functional_complexity_index(double auc);

double rmse(const std::vector<float>& predicted, const std::vector<float>& target);
// 1 - Var(target - predicted) / Var(target) (as sklearn's explained_variance_score).
double explained_variance(const std::vector<float>& predicted, const std::vector<float>& target);

}  // namespace neurotwin
