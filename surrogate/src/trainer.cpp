#include "neurotwin/surrogate/trainer.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>

#include "neurotwin/datasets/random_stream.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/evaluator.hpp"

namespace neurotwin {
namespace {

namespace fs = std::filesystem;

torch::Tensor config_tensor(const TcnConfig& c) {
  return torch::tensor(std::vector<std::int64_t>{c.input_channels, c.depth, c.width, c.first_kernel_ms, c.kernel_ms});
}

TcnConfig config_from_tensor(const torch::Tensor& t, const std::string& path) {
  if (t.numel() != 5) throw InputError(path + ": malformed model config in checkpoint");
  const auto v = t.to(torch::kCPU).contiguous();
  const auto* p = v.data_ptr<std::int64_t>();
  TcnConfig c;
  c.input_channels = static_cast<int>(p[0]);
  c.depth = static_cast<int>(p[1]);
  c.width = static_cast<int>(p[2]);
  c.first_kernel_ms = static_cast<int>(p[3]);
  c.kernel_ms = static_cast<int>(p[4]);
  return c;
}

double read_double(torch::serialize::InputArchive& ar, const std::string& key) {
  torch::Tensor t;
  ar.read(key, t);
  return t.item<double>();
}

// Atomically replaces `path` with the archive.
void save_archive(torch::serialize::OutputArchive& ar, const std::string& path) {
  const std::string tmp = path + ".tmp";
  ar.save_to(tmp);
  fs::rename(tmp, path);
}

struct Checkpoint {
  int step = 0, best_step = 0;
  double best_score = -1e300, best_auc = 0, wall_seconds = 0;
  std::array<std::uint64_t, 4> rng{};
};

}  // namespace

void TrainingConfig::validate() const {
  if (steps < 1) throw InputError("training.steps must be >= 1");
  if (batch_size < 1) throw InputError("training.batch_size must be >= 1");
  if (window_ms < 1) throw InputError("training.window_ms must be >= 1");
  if (!(learning_rate > 0)) throw InputError("training.learning_rate must be > 0");
  if (!(weight_decay >= 0)) throw InputError("training.weight_decay must be >= 0");
  if (!(spike_loss_weight >= 0) || !(soma_loss_weight >= 0) || spike_loss_weight + soma_loss_weight <= 0)
    throw InputError("training loss weights must be >= 0 and not both 0");
  if (validate_every < 1 || checkpoint_every < 1) throw InputError("training.validate_every and checkpoint_every must be >= 1");
}

void save_trained(const TcnModel& model, double soma_bias_mV, double soma_clip_mV, const std::string& path) {
  torch::serialize::OutputArchive ar, model_ar;
  model->save(model_ar);
  ar.write("model", model_ar);
  ar.write("config", config_tensor(model->config()));
  ar.write("soma_bias_mV", torch::tensor(soma_bias_mV, torch::kFloat64));
  ar.write("soma_clip_mV", torch::tensor(soma_clip_mV, torch::kFloat64));
  save_archive(ar, path);
}

TrainedSurrogate load_trained(const std::string& path, torch::Device device) {
  if (!fs::exists(path)) throw InputError(path + ": no such model file");
  TrainedSurrogate t;
  try {
    torch::serialize::InputArchive ar, model_ar;
    ar.load_from(path, torch::kCPU);
    torch::Tensor config;
    ar.read("config", config);
    t.model = TcnModel(config_from_tensor(config, path));
    ar.read("model", model_ar);
    t.model->load(model_ar);
    t.soma_bias_mV = read_double(ar, "soma_bias_mV");
    t.soma_clip_mV = read_double(ar, "soma_clip_mV");
  } catch (const c10::Error& e) {
    throw InputError(path + ": not a neurotwin model file (" + std::string(e.what_without_backtrace()) + ")");
  }
  t.model->to(device);
  t.model->eval();
  return t;
}

TrainingResult train_tcn(const TcnConfig& model_config, const TrainingConfig& config, const SurrogateData& train,
                         const SurrogateData& valid, const std::string& out_dir, torch::Device device,
                         const std::function<void(const TrainingProgress&)>& on_progress) {
  config.validate();
  if (train.size() == 0 || valid.size() == 0) throw InputError("training needs training and validation simulations");
  if (train.input_count() != static_cast<std::size_t>(model_config.input_channels) ||
      valid.input_count() != train.input_count())
    throw InputError("model input_channels (" + std::to_string(model_config.input_channels) +
                     ") does not match the datasets' input count (" + std::to_string(train.input_count()) + ")");
  const auto bins = static_cast<long>(train.bins());
  const long window = config.window_ms;
  const long lowest_end = std::max(static_cast<long>(config.targets.ignore_first_ms) + window, window);
  if (lowest_end > bins)
    throw InputError("training.window_ms (" + std::to_string(window) + ") plus ignore_first_ms does not fit in " +
                     std::to_string(bins) + "-ms simulations");
  fs::create_directories(out_dir);
  const std::string checkpoint_path = (fs::path(out_dir) / "checkpoint.pt").string();
  const std::string best_path = (fs::path(out_dir) / "best_model.pt").string();

  torch::manual_seed(config.seed);
  TcnModel model(model_config);
  model->to(device);
  torch::optim::Adam optimizer(model->parameters(),
                               torch::optim::AdamOptions(config.learning_rate).weight_decay(config.weight_decay));
  RandomStream sampler(config.seed, 0, 0x7261696eULL);
  const double soma_bias = train.mean_clipped_soma_mV(config.targets.ignore_first_ms);

  Checkpoint state;
  state.rng = sampler.state();
  if (fs::exists(checkpoint_path)) {
    try {
      torch::serialize::InputArchive ar, model_ar, opt_ar;
      ar.load_from(checkpoint_path, device);
      torch::Tensor saved_config;
      ar.read("config", saved_config);
      const TcnConfig c = config_from_tensor(saved_config, checkpoint_path);
      if (c.input_channels != model_config.input_channels || c.depth != model_config.depth ||
          c.width != model_config.width || c.first_kernel_ms != model_config.first_kernel_ms ||
          c.kernel_ms != model_config.kernel_ms)
        throw InputError(checkpoint_path + ": checkpoint of a different model; remove it or use another output directory");
      ar.read("model", model_ar);
      model->load(model_ar);
      ar.read("optimizer", opt_ar);
      optimizer.load(opt_ar);
      state.step = static_cast<int>(read_double(ar, "step"));
      state.best_step = static_cast<int>(read_double(ar, "best_step"));
      state.best_score = read_double(ar, "best_score");
      state.best_auc = read_double(ar, "best_auc");
      state.wall_seconds = read_double(ar, "wall_seconds");
      torch::Tensor rng;
      ar.read("rng", rng);
      const auto r = rng.to(torch::kCPU).contiguous();
      for (std::size_t i = 0; i < 4; ++i) state.rng[i] = static_cast<std::uint64_t>(r.data_ptr<std::int64_t>()[i]);
      sampler.set_state(state.rng);
    } catch (const c10::Error& e) {
      throw InputError(checkpoint_path + ": unreadable checkpoint (" + std::string(e.what_without_backtrace()) + ")");
    }
  }

  auto write_checkpoint = [&](double wall) {
    torch::serialize::OutputArchive ar, model_ar, opt_ar;
    model->save(model_ar);
    optimizer.save(opt_ar);
    ar.write("model", model_ar);
    ar.write("optimizer", opt_ar);
    ar.write("config", config_tensor(model_config));
    ar.write("step", torch::tensor(static_cast<double>(state.step), torch::kFloat64));
    ar.write("best_step", torch::tensor(static_cast<double>(state.best_step), torch::kFloat64));
    ar.write("best_score", torch::tensor(state.best_score, torch::kFloat64));
    ar.write("best_auc", torch::tensor(state.best_auc, torch::kFloat64));
    ar.write("wall_seconds", torch::tensor(wall, torch::kFloat64));
    const auto rng = sampler.state();
    std::vector<std::int64_t> rng_values;
    for (std::uint64_t v : rng) rng_values.push_back(static_cast<std::int64_t>(v));
    ar.write("rng", torch::tensor(rng_values));
    save_archive(ar, checkpoint_path);
  };

  const int history = model_config.receptive_field_ms() - 1;
  const long input_length = window + history;
  const auto channels = static_cast<long>(train.input_count());
  const auto batch = static_cast<long>(config.batch_size);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return state.wall_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  model->train();
  while (state.step < config.steps) {
    torch::Tensor x = torch::empty({batch, channels, input_length});
    torch::Tensor spike_target = torch::empty({batch, window});
    torch::Tensor soma_target = torch::empty({batch, window});
    for (long b = 0; b < batch; ++b) {
      const std::size_t k = sampler.below(train.size());
      const long end = lowest_end + static_cast<long>(sampler.below(static_cast<std::uint64_t>(bins - lowest_end + 1)));
      train.fill_dense(k, end - window - history, input_length, x[b].data_ptr<float>());
      const SurrogateSimulation& sim = train.simulation(k);
      float* st = spike_target[b].data_ptr<float>();
      float* vt = soma_target[b].data_ptr<float>();
      for (long t = 0; t < window; ++t) {
        const auto bin = static_cast<std::size_t>(end - window + t);
        st[t] = sim.spike_bins[bin];
        vt[t] = static_cast<float>(static_cast<double>(sim.soma_clipped_mV[bin]) - soma_bias);
      }
    }
    const auto out = model->forward(x.to(device));
    const torch::Tensor logit = out.spike_logit.narrow(1, history, window);
    const torch::Tensor soma = out.soma.narrow(1, history, window);
    const torch::Tensor loss =
        config.spike_loss_weight * torch::binary_cross_entropy_with_logits(logit, spike_target.to(device)) +
        config.soma_loss_weight * torch::mse_loss(soma, soma_target.to(device));
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value))
      throw TrainingError("training loss is " + std::to_string(loss_value) + " at step " + std::to_string(state.step + 1) +
                          "; stopped. The last good checkpoint is " + checkpoint_path +
                          " (lower training.learning_rate and rerun to resume)");
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    ++state.step;

    TrainingProgress progress;
    progress.step = state.step;
    progress.total_steps = config.steps;
    progress.train_loss = loss_value;
    if (state.step % config.validate_every == 0 || state.step == config.steps) {
      const EvaluationMetrics m = evaluate_tcn(model, soma_bias, valid, config.targets, device);
      const double score = std::isfinite(m.spike_auc) ? m.spike_auc : -m.soma_rmse_mV;
      progress.validated = true;
      progress.valid_auc = m.spike_auc;
      progress.valid_soma_rmse_mV = m.soma_rmse_mV;
      if (score > state.best_score) {
        state.best_score = score;
        state.best_auc = m.spike_auc;
        state.best_step = state.step;
        save_trained(model, soma_bias, config.targets.soma_clip_mV, best_path);
        progress.improved = true;
      }
    }
    if (state.step % config.checkpoint_every == 0 || state.step == config.steps) write_checkpoint(elapsed());
    if (on_progress) on_progress(progress);
  }
  TrainingResult result;
  result.steps_done = state.step;
  result.best_step = state.best_step;
  result.best_valid_auc = state.best_auc;
  result.soma_bias_mV = soma_bias;
  result.wall_seconds = elapsed();
  result.best_model_path = best_path;
  return result;
}

}  // namespace neurotwin
