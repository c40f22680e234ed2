#include "neurotwin/surrogate/input_events.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <string>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

InputEventsBuilder::InputEventsBuilder(std::int64_t batch_size, std::int64_t channels, std::int64_t length)
    : batch_size_(batch_size), channels_(channels), length_(length) {
  if (batch_size < 0 || channels < 0 || length < 0) throw InputError("input events: negative shape");
  if (channels > INT32_MAX || length > INT32_MAX || batch_size > INT32_MAX)
    throw InputError("input events: shape does not fit 32-bit indices");
}

void InputEventsBuilder::add(std::int64_t item, std::int64_t channel, std::int64_t bin) {
  if (item < 0 || item >= batch_size_ || channel < 0 || channel >= channels_ || bin < 0 || bin >= length_)
    throw InputError("input event (item " + std::to_string(item) + ", channel " + std::to_string(channel) + ", bin " +
                     std::to_string(bin) + ") outside a batch of " + std::to_string(batch_size_) + " x " +
                     std::to_string(channels_) + " channels x " + std::to_string(length_) + " bins");
  rows_.push_back(static_cast<std::int32_t>(item));
  rows_.push_back(static_cast<std::int32_t>(channel));
  rows_.push_back(static_cast<std::int32_t>(bin));
}

InputEvents InputEventsBuilder::finish() {
  const std::size_t n = rows_.size() / 3;
  // Order: item, channel, bin (lexicographic), duplicates dropped. A stable counting sort on (item, channel) keeps
  // the bins in the order they were added (time order for a simulation's events), so only a bucket whose bins are
  // out of order needs sorting: linear time for the usual input.
  const auto buckets = static_cast<std::size_t>(batch_size_ * channels_);
  std::vector<std::size_t> first(buckets + 1, 0);
  for (std::size_t i = 0; i < n; ++i)
    ++first[static_cast<std::size_t>(rows_[3 * i]) * static_cast<std::size_t>(channels_) + static_cast<std::size_t>(rows_[3 * i + 1]) + 1];
  for (std::size_t k = 0; k < buckets; ++k) first[k + 1] += first[k];
  std::vector<std::int32_t> bins(n);
  {
    std::vector<std::size_t> next(first.begin(), first.end() - 1);
    for (std::size_t i = 0; i < n; ++i)
      bins[next[static_cast<std::size_t>(rows_[3 * i]) * static_cast<std::size_t>(channels_) + static_cast<std::size_t>(rows_[3 * i + 1])]++] =
          rows_[3 * i + 2];
  }
  std::size_t kept = 0;
  for (std::size_t k = 0; k < buckets; ++k) {
    auto begin = bins.begin() + static_cast<std::ptrdiff_t>(first[k]), end = bins.begin() + static_cast<std::ptrdiff_t>(first[k + 1]);
    if (!std::is_sorted(begin, end)) std::sort(begin, end);
    for (auto it = begin; it != end; ++it) kept += it == begin || *it != *(it - 1);
  }
  InputEvents e;
  e.batch_size = batch_size_;
  e.channels = channels_;
  e.length = length_;
  e.rows = torch::empty({static_cast<std::int64_t>(kept), 3}, torch::kInt32);
  std::int32_t* out = e.rows.data_ptr<std::int32_t>();
  for (std::size_t k = 0; k < buckets; ++k) {
    const auto item = static_cast<std::int32_t>(k / static_cast<std::size_t>(channels_));
    const auto channel = static_cast<std::int32_t>(k % static_cast<std::size_t>(channels_));
    for (std::size_t i = first[k]; i < first[k + 1]; ++i) {
      if (i > first[k] && bins[i] == bins[i - 1]) continue;
      *out++ = item;
      *out++ = channel;
      *out++ = bins[i];
    }
  }
  rows_.clear();
  return e;
}

InputEvents InputEvents::from_dense(const torch::Tensor& x) {
  if (x.dim() != 3) throw InputError("input events: dense input must be [batch, channels, bins]");
  const torch::Tensor cpu = x.to(torch::kCPU);
  InputEventsBuilder builder(cpu.size(0), cpu.size(1), cpu.size(2));
  const torch::Tensor nz = torch::nonzero(cpu).contiguous();  // [E, 3] int64
  const auto* p = nz.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < nz.size(0); ++i) builder.add(p[3 * i], p[3 * i + 1], p[3 * i + 2]);
  return builder.finish();
}

torch::Tensor InputEvents::to_dense(torch::Device device) const {
  torch::Tensor x = torch::zeros({batch_size, channels, length});
  float* p = x.data_ptr<float>();
  const std::int32_t* r = rows.defined() ? rows.data_ptr<std::int32_t>() : nullptr;
  for (std::int64_t i = 0; i < count(); ++i)
    p[(static_cast<std::int64_t>(r[3 * i]) * channels + r[3 * i + 1]) * length + r[3 * i + 2]] = 1.0f;
  return x.to(device);
}

namespace {

// first[k] .. first[k + 1] - 1: the positions, in an order grouped by
// column `column` of the rows (value k), of the rows with value k; first has
// `groups` + 1 entries (prefix sums of the counts).
std::vector<std::int64_t> group_offsets(const std::int32_t* rows, std::int64_t count, int column, std::int64_t groups) {
  std::vector<std::int64_t> first(static_cast<std::size_t>(groups) + 1, 0);
  for (std::int64_t i = 0; i < count; ++i) ++first[static_cast<std::size_t>(rows[3 * i + column]) + 1];
  for (std::size_t k = 0; k < static_cast<std::size_t>(groups); ++k) first[k + 1] += first[k];
  return first;
}

// dst[i] += src[i], i < n.
inline void add_to(float* __restrict dst, const float* __restrict src, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

// The autograd function of the CPU path. The convolution is rewritten with
// the kernel reversed and transposed, Wr[c, d, o] = weight[o, c, K − 1 − d],
// and the output time-major, Y[b, t, o]: an event (b, c, s) adds the K·O
// contiguous floats Wr[c] to the K·O contiguous floats Y[b, s .. s + K − 1]
// (the bins past T dropped); in backward, G = dL/dY gathered the same way
// gives dL/dWr[c] += G[b, s .. s + K − 1].
class EventConv1dFunction : public torch::autograd::Function<EventConv1dFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& weight,
                               const torch::Tensor& bias, const torch::Tensor& rows, std::int64_t batch_size,
                               std::int64_t length) {
    const std::int64_t out_channels = weight.size(0), kernel = weight.size(2);
    const torch::Tensor wr = weight.detach().flip({2}).permute({1, 2, 0}).contiguous();  // [C, K, O]
    torch::Tensor y = torch::zeros({batch_size, length, out_channels}, weight.options());
    const std::int64_t events = rows.size(0);
    const std::int32_t* r = rows.data_ptr<std::int32_t>();
    // Events are sorted by batch item: item b owns rows [first[b], first[b + 1]),
    // in channel order, so that each channel's weights are read once per item
    // (they are C·K·O floats, far more than the item's output, which stays in
    // cache).
    const std::vector<std::int64_t> first = group_offsets(r, events, 0, batch_size);
    const float* w = wr.data_ptr<float>();
    float* out = y.data_ptr<float>();
    const std::int64_t slice = kernel * out_channels;
    at::parallel_for(0, batch_size, 1, [&](std::int64_t b0, std::int64_t b1) {
      for (std::int64_t b = b0; b < b1; ++b)
        for (std::int64_t i = first[static_cast<std::size_t>(b)]; i < first[static_cast<std::size_t>(b) + 1]; ++i) {
          const std::int64_t c = r[3 * i + 1], s = r[3 * i + 2];
          const std::int64_t reach = std::min(kernel, length - s);
          add_to(out + (b * length + s) * out_channels, w + c * slice, reach * out_channels);
        }
    });
    ctx->save_for_backward({rows});
    ctx->saved_data["channels"] = weight.size(1);
    ctx->saved_data["kernel"] = kernel;
    return (y.permute({0, 2, 1}) + bias.detach().view({1, -1, 1})).contiguous();
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const torch::Tensor rows = ctx->get_saved_variables()[0];
    const std::int64_t channels = ctx->saved_data["channels"].toInt();
    const std::int64_t kernel = ctx->saved_data["kernel"].toInt();
    const torch::Tensor& grad = grad_outputs[0];  // [B, O, T]
    const std::int64_t out_channels = grad.size(1), length = grad.size(2);
    const torch::Tensor g = grad.permute({0, 2, 1}).contiguous();  // [B, T, O]
    torch::Tensor grad_wr = torch::zeros({channels, kernel, out_channels}, grad.options());
    const std::int64_t events = rows.size(0);
    const std::int32_t* r = rows.data_ptr<std::int32_t>();
    // Counting sort by channel (stable: each channel's events keep the order
    // item, bin), so that every channel sums in a fixed order whatever the
    // threads, its gradient slice staying in cache.
    const std::vector<std::int64_t> first = group_offsets(r, events, 1, channels);
    std::vector<std::int64_t> by_channel(static_cast<std::size_t>(events));
    {
      std::vector<std::int64_t> next(first.begin(), first.end() - 1);
      for (std::int64_t i = 0; i < events; ++i) by_channel[static_cast<std::size_t>(next[static_cast<std::size_t>(r[3 * i + 1])]++)] = i;
    }
    const float* gp = g.data_ptr<float>();
    float* gw = grad_wr.data_ptr<float>();
    const std::int64_t slice = kernel * out_channels;
    at::parallel_for(0, channels, 16, [&](std::int64_t c0, std::int64_t c1) {
      for (std::int64_t c = c0; c < c1; ++c)
        for (std::int64_t j = first[static_cast<std::size_t>(c)]; j < first[static_cast<std::size_t>(c) + 1]; ++j) {
          const std::int64_t i = by_channel[static_cast<std::size_t>(j)];
          const std::int64_t b = r[3 * i], s = r[3 * i + 2];
          const std::int64_t reach = std::min(kernel, length - s);
          add_to(gw + c * slice, gp + (b * length + s) * out_channels, reach * out_channels);
        }
    });
    torch::Tensor grad_weight = grad_wr.permute({2, 0, 1}).flip({2}).contiguous();  // [O, C, K]
    torch::Tensor grad_bias = grad.sum(std::vector<std::int64_t>{0, 2});
    return {grad_weight, grad_bias, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor event_conv1d(const InputEvents& events, const torch::Tensor& weight, const torch::Tensor& bias) {
  if (weight.dim() != 3 || bias.dim() != 1 || bias.size(0) != weight.size(0))
    throw InputError("event_conv1d: weight must be [out, in, kernel] and bias [out]");
  if (weight.size(1) != events.channels)
    throw InputError("event_conv1d: " + std::to_string(events.channels) + " input channels, the weight expects " +
                     std::to_string(weight.size(1)));
  if (events.count() > 0 && (!events.rows.defined() || events.rows.scalar_type() != torch::kInt32 ||
                             events.rows.dim() != 2 || events.rows.size(1) != 3 || !events.rows.is_contiguous()))
    throw InputError("event_conv1d: events must be a contiguous int32 [E, 3] tensor");
  if (!weight.device().is_cpu() || weight.scalar_type() != torch::kFloat32) {
    namespace F = torch::nn::functional;
    const torch::Tensor x = events.to_dense(weight.device()).to(weight.scalar_type());
    return F::conv1d(F::pad(x, F::PadFuncOptions({weight.size(2) - 1, 0})), weight, F::Conv1dFuncOptions().bias(bias));
  }
  const torch::Tensor rows = events.count() > 0 ? events.rows : torch::empty({0, 3}, torch::kInt32);
  return EventConv1dFunction::apply(weight, bias, rows, events.batch_size, events.length);
}

}  // namespace neurotwin
