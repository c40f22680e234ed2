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

double rmse(const std::vector<float>& predicted, const std::vector<float>& target);
// 1 - Var(target - predicted) / Var(target) (as sklearn's explained_variance_score).
double explained_variance(const std::vector<float>& predicted, const std::vector<float>& target);

}  // namespace neurotwin
