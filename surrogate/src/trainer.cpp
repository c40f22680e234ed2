#include "neurotwin/surrogate/trainer.hpp"

#include <ATen/core/Generator.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "neurotwin/datasets/window_reader.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/evaluator.hpp"

namespace neurotwin {
namespace {

namespace fs = std::filesystem;

torch::Tensor config_tensor(const TcnConfig& c) {
  std::vector<std::int64_t> v{c.input_channels, c.depth, c.width, c.first_kernel_ms, c.kernel_ms, c.dendrite_outputs,
                              c.input_projection, c.fixed_projection ? 1 : 0,
                              static_cast<std::int64_t>(c.first_layer_windows_ms.size())};
  v.insert(v.end(), c.first_layer_windows_ms.begin(), c.first_layer_windows_ms.end());
  return torch::tensor(v);
}

TcnConfig config_from_tensor(const torch::Tensor& t, const std::string& path) {
  const std::int64_t n = t.numel();
  if (n < 5 || n > 9 + 64) throw InputError(path + ": malformed model config in checkpoint");
  const auto v = t.to(torch::kCPU).contiguous();
  const auto* p = v.data_ptr<std::int64_t>();
  TcnConfig c;
  c.input_channels = static_cast<int>(p[0]);
  c.depth = static_cast<int>(p[1]);
  c.width = static_cast<int>(p[2]);
  c.first_kernel_ms = static_cast<int>(p[3]);
  c.kernel_ms = static_cast<int>(p[4]);
  c.dendrite_outputs = t.numel() >= 6 ? static_cast<int>(p[5]) : 0;
  c.input_projection = t.numel() >= 7 ? static_cast<int>(p[6]) : 0;
  c.fixed_projection = t.numel() >= 8 && p[7] != 0;
  if (n >= 9) {
    if (p[8] < 0 || n != 9 + p[8]) throw InputError(path + ": malformed model config in checkpoint");
    c.first_layer_windows_ms.assign(p + 9, p + n);
  }
  return c;
}

bool same_shape(const TcnConfig& a, const TcnConfig& b) {
  return a.input_channels == b.input_channels && a.depth == b.depth && a.width == b.width &&
         a.first_kernel_ms == b.first_kernel_ms && a.kernel_ms == b.kernel_ms && a.dendrite_outputs == b.dendrite_outputs &&
         a.input_projection == b.input_projection && a.fixed_projection == b.fixed_projection &&
         a.first_layer_windows_ms == b.first_layer_windows_ms;
}

double read_double(torch::serialize::InputArchive& ar, const std::string& key) {
  torch::Tensor t;
  ar.read(key, t);
  return t.item<double>();
}

torch::Tensor scalar(double v) { return torch::tensor(v, torch::kFloat64); }

// Atomically replaces `path` with the archive.
void save_archive(torch::serialize::OutputArchive& ar, const std::string& path) {
  const std::string tmp = path + ".tmp";
  ar.save_to(tmp);
  fs::rename(tmp, path);
}

struct TrainingState {
  int step = 0, best_step = 0, stale_validations = 0;
  double best_score = -1e300, best_auc = 0, wall_seconds = 0;
  bool stopped_early = false;
};

// The first few training simulations' segment voltages after the transient,
// every 4th ms: the PCA's samples.
DendritePca fit_pca(const WindowReader& reader, const TrainingConfig& config) {
  std::vector<torch::Tensor> samples;
  const auto first = static_cast<std::size_t>(std::ceil(config.targets.ignore_first_ms));
  const std::size_t length = reader.duration_ms() - first;
  std::size_t taken = 0;
  for (std::size_t f = 0; f < reader.file_count() && taken < static_cast<std::size_t>(config.dendrite_pca_simulations); ++f)
    for (std::size_t k = 0; k < reader.file(f).simulation_count() && taken < static_cast<std::size_t>(config.dendrite_pca_simulations);
         ++k, ++taken) {
      std::vector<float> v = reader.file(f).read_segment_voltages(k, first, length);
      const auto segments = static_cast<std::int64_t>(v.size() / length);
      const torch::Tensor t = torch::from_blob(v.data(), {segments, static_cast<std::int64_t>(length)});
      samples.push_back(t.slice(1, 0, static_cast<std::int64_t>(length), 4).clone());
    }
  return fit_dendrite_pca(samples, config.dendrite_pca_components);
}

// training_log.csv: a header and one row per validation. Opening it for a
// run that starts (or resumes) at `step` keeps only the rows up to that step.
class TrainingLog {
 public:
  TrainingLog(std::string path, int step, bool writer) : path_(std::move(path)), writer_(writer) {
    if (!writer_) return;
    std::vector<std::string> kept{kHeader};
    std::ifstream in(path_);
    std::string line;
    if (step > 0 && std::getline(in, line) && line == kHeader)
      while (std::getline(in, line))
        if (line.find(',') != std::string::npos && std::atol(line.c_str()) <= step) kept.push_back(line);
    std::ofstream out(path_, std::ios::trunc);
    for (const std::string& l : kept) out << l << '\n';
    if (!out) throw InputError(path_ + ": cannot write the training log");
  }
  void append(int step, double wall_seconds, double learning_rate, double train_loss, const EvaluationMetrics& valid) {
    if (!writer_) return;
    std::ofstream out(path_, std::ios::app);
    char line[256];
    std::snprintf(line, sizeof line, "%d,%.3f,%.6g,%.6g,%.6g,%.6g", step, wall_seconds, learning_rate, train_loss,
                  valid.spike_auc, valid.soma_rmse_mV);
    out << line << '\n';
    if (!out) throw InputError(path_ + ": cannot write the training log");
  }

 private:
  static constexpr const char* kHeader = "step,wall_seconds,learning_rate,train_loss,valid_auc,valid_soma_rmse_mV";
  std::string path_;
  bool writer_;
};

// Sums every parameter's gradient over the group (one flat buffer).
void allreduce_gradients(const std::vector<torch::Tensor>& parameters, ProcessGroup& group) {
  std::vector<torch::Tensor> flat;
  for (const torch::Tensor& p : parameters)
    flat.push_back(p.grad().defined() ? p.grad().reshape(-1) : torch::zeros({p.numel()}, p.options()));
  torch::Tensor buffer = torch::cat(flat).to(torch::kCPU).contiguous();
  group.allreduce_sum(buffer);
  std::int64_t offset = 0;
  for (const torch::Tensor& p : parameters) {
    const torch::Tensor summed = buffer.narrow(0, offset, p.numel()).view(p.sizes()).to(p.device());
    if (p.grad().defined()) p.mutable_grad().copy_(summed);
    else p.mutable_grad() = summed.clone();
    offset += p.numel();
  }
}

}  // namespace

int TrainingConfig::total_steps() const {
  int n = 0;
  for (const TrainingStage& s : stages) n += s.steps;
  return n;
}

std::size_t TrainingConfig::stage_of(int step) const {
  int end = 0;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    end += stages[i].steps;
    if (step <= end) return i;
  }
  return stages.size() - 1;
}

void TrainingConfig::validate() const {
  if (stages.empty()) throw InputError("training.stages: at least one stage");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const TrainingStage& s = stages[i];
    const std::string at = "training.stages[" + std::to_string(i) + "]";
    if (s.steps < 1) throw InputError(at + ": steps must be >= 1");
    if (!(s.learning_rate > 0)) throw InputError(at + ": learning_rate must be > 0");
    if (!(s.loss.spike >= 0) || !(s.loss.soma >= 0) || !(s.loss.dendrite >= 0) || s.loss.spike + s.loss.soma + s.loss.dendrite <= 0)
      throw InputError(at + ": loss weights must be >= 0 and not all 0");
  }
  if (batch_size < 1) throw InputError("training.batch_size must be >= 1");
  if (window_ms < 1) throw InputError("training.window_ms must be >= 1");
  if (!(weight_decay >= 0)) throw InputError("training.weight_decay must be >= 0");
  if (dendrite_pca_components < 0 || dendrite_pca_simulations < 1)
    throw InputError("training.dendrite_pca_components must be >= 0 and dendrite_pca_simulations >= 1");
  if (early_stopping_validations < 0) throw InputError("training.early_stopping_validations must be >= 0");
  if (!(window_cache_mb >= 0)) throw InputError("training.window_cache_mb must be >= 0");
  if (validate_every < 1 || checkpoint_every < 1) throw InputError("training.validate_every and checkpoint_every must be >= 1");
}

void save_trained(const TcnModel& model, double soma_bias_mV, double soma_clip_mV, const DendritePca* pca,
                  const std::string& path) {
  torch::serialize::OutputArchive ar, model_ar;
  model->save(model_ar);
  ar.write("model", model_ar);
  ar.write("config", config_tensor(model->config()));
  ar.write("soma_bias_mV", scalar(soma_bias_mV));
  ar.write("soma_clip_mV", scalar(soma_clip_mV));
  if (pca && pca->components() > 0) {
    torch::serialize::OutputArchive pca_ar;
    pca->save(pca_ar);
    ar.write("dendrite_pca", pca_ar);
  }
  save_archive(ar, path);
}

void save_trained(const GlmModel& model, double soma_bias_mV, double soma_clip_mV, const std::string& path) {
  torch::serialize::OutputArchive ar;
  ar.write("kind", torch::tensor(std::int64_t{1}));
  model->save_to(ar);
  ar.write("soma_bias_mV", scalar(soma_bias_mV));
  ar.write("soma_clip_mV", scalar(soma_clip_mV));
  save_archive(ar, path);
}

std::int64_t TrainedSurrogate::parameter_count() const {
  return is_glm() ? glm->parameter_count() : model->parameter_count();
}

std::int64_t TrainedSurrogate::macs_per_ms() const { return is_glm() ? glm->macs_per_ms() : model->macs_per_ms(); }

int TrainedSurrogate::receptive_field_ms() const {
  return is_glm() ? glm->config().receptive_field_ms() : model->config().receptive_field_ms();
}

std::size_t TrainedSurrogate::input_count() const {
  return is_glm() ? glm->pooling().group_of_channel.size() : static_cast<std::size_t>(model->config().input_channels);
}

EventForward trained_forward(TrainedSurrogate& surrogate, torch::Device device, InputLayer layer) {
  if (!surrogate.is_glm()) return tcn_forward(surrogate.model, device, layer);
  GlmModel glm = surrogate.glm;
  return [glm](const InputEvents& x) mutable { return glm->forward(x); };
}

EvaluationMetrics evaluate_trained(TrainedSurrogate& surrogate, const SimulationSource& data, const TargetConventions& targets,
                                   torch::Device device, InputLayer layer, const ScoringOptions& options) {
  return evaluate_forward(trained_forward(surrogate, device, layer), surrogate.soma_bias_mV, data, targets, options);
}

EvaluationMetrics score_trained(TrainedSurrogate& surrogate, const SimulationSource& valid, const SimulationSource& test,
                                const TargetConventions& targets, torch::Device device, InputLayer layer) {
  const EventForward forward = trained_forward(surrogate, device, layer);
  ScoringOptions options;
  options.operating_threshold = operating_threshold(predict_forward(forward, surrogate.soma_bias_mV, valid, targets));
  options.bootstrap_replicates = kAucBootstrapReplicates;
  return score_predictions(predict_forward(forward, surrogate.soma_bias_mV, test, targets), options);
}

TrainingResult train_glm(const GlmConfig& config, const TargetConventions& targets, const SurrogateData& train,
                         const SurrogateData& valid, const std::string& out_dir) {
  const double soma_bias = train.mean_clipped_soma_mV();
  GlmFitReport report;
  GlmModel glm = fit_glm(config, train, targets, soma_bias, &report);
  glm->eval();
  const EvaluationMetrics m =
      evaluate_forward([&](const InputEvents& x) { return glm->forward(x); }, soma_bias, valid, targets);
  fs::create_directories(out_dir);
  TrainingResult result;
  result.steps_done = report.newton_iterations;
  result.best_step = report.newton_iterations;
  result.best_valid_auc = m.spike_auc;
  result.soma_bias_mV = soma_bias;
  result.wall_seconds = report.wall_seconds;
  result.best_model_path = (fs::path(out_dir) / "best_model.pt").string();
  save_trained(glm, soma_bias, targets.soma_clip_mV, result.best_model_path);
  return result;
}

TrainedSurrogate load_trained(const std::string& path, torch::Device device) {
  if (!fs::exists(path)) throw InputError(path + ": no such model file");
  TrainedSurrogate t;
  try {
    torch::serialize::InputArchive ar, model_ar;
    ar.load_from(path, torch::kCPU);
    torch::Tensor kind;
    if (ar.try_read("kind", kind) && kind.item<std::int64_t>() == 1) {
      t.glm = GlmModel(GlmModelImpl::load_from(ar, path));
      t.soma_bias_mV = read_double(ar, "soma_bias_mV");
      t.soma_clip_mV = read_double(ar, "soma_clip_mV");
      t.glm->eval();
      return t;  // the GLM runs on the CPU (event input)
    }
    torch::Tensor config;
    ar.read("config", config);
    t.model = TcnModel(config_from_tensor(config, path));
    ar.read("model", model_ar);
    t.model->load(model_ar);
    t.soma_bias_mV = read_double(ar, "soma_bias_mV");
    t.soma_clip_mV = read_double(ar, "soma_clip_mV");
    if (t.model->config().dendrite_outputs > 0) {
      torch::serialize::InputArchive pca_ar;
      ar.read("dendrite_pca", pca_ar);
      t.dendrite_pca = DendritePca::load(pca_ar);
    }
  } catch (const c10::Error& e) {
    throw InputError(path + ": not a neurotwin model file (" + std::string(e.what_without_backtrace()) + ")");
  }
  t.model->to(device);
  t.model->eval();
  return t;
}

TrainingResult train_tcn(TcnConfig model_config, const TrainingConfig& config, const SurrogateData& train,
                         const SurrogateData& valid, const std::string& out_dir, torch::Device device, ProcessGroup& group,
                         const std::function<void(const TrainingProgress&)>& on_progress) {
  config.validate();
  model_config.dendrite_outputs = config.dendrite_pca_components;
  if (train.size() == 0 || valid.size() == 0) throw InputError("training needs training and validation simulations");
  if (train.input_count() != static_cast<std::size_t>(model_config.input_channels) ||
      valid.input_count() != train.input_count())
    throw InputError("model input_channels (" + std::to_string(model_config.input_channels) +
                     ") does not match the datasets' input count (" + std::to_string(train.input_count()) + ")");
  const int processes = group.size();
  if (config.batch_size % processes != 0)
    throw InputError("training.batch_size (" + std::to_string(config.batch_size) + ") must be a multiple of the " +
                     std::to_string(processes) + " data-parallel processes");
  const bool writer = group.rank() == 0;
  const long history = model_config.receptive_field_ms() - 1;
  const long window = config.window_ms;
  WindowSampling sampling;
  sampling.window_ms = static_cast<std::size_t>(window + history);
  sampling.ignore_first_ms = std::max(0.0, config.targets.ignore_first_ms - static_cast<double>(history));
  sampling.seed = config.seed;
  sampling.segment_voltages = config.dendrite_pca_components > 0;
  sampling.cache_bytes = static_cast<std::size_t>(config.window_cache_mb * 1024 * 1024);
  if (sampling.ignore_first_ms + static_cast<double>(sampling.window_ms) > static_cast<double>(train.bins()))
    throw InputError("training.window_ms (" + std::to_string(window) + ") plus ignore_first_ms does not fit in " +
                     std::to_string(train.bins()) + "-ms simulations");
  const WindowReader reader(train.files(), sampling);
  // Validation reads the same simulations every validate_every steps: decode them once when they fit.
  const std::unique_ptr<LoadedSimulations> valid_loaded = LoadedSimulations::load(valid, kValidationMemoryBytes);
  const SimulationSource& valid_source = valid_loaded ? static_cast<const SimulationSource&>(*valid_loaded) : valid;
  fs::create_directories(out_dir);
  const std::string checkpoint_path = (fs::path(out_dir) / "checkpoint.pt").string();
  const std::string best_path = (fs::path(out_dir) / "best_model.pt").string();

  InputPooling pooling;
  if (model_config.input_pooling_band_um > 0) {
    pooling = pool_inputs(train.segments(), uniform_distance_edges_um(train.segments(), model_config.input_pooling_band_um));
    model_config.input_projection = static_cast<int>(pooling.group_names.size());
    model_config.fixed_projection = true;
  }
  torch::manual_seed(config.seed);
  TcnModel model(model_config);
  if (model_config.fixed_projection) model->set_input_pooling(pooling.group_of_channel);
  if (config.spike_bias_at_base_rate) model->set_spike_base_rate(train.spike_bin_fraction());
  model->to(device);
  model->set_process_group(&group);
  const auto named = model->named_parameters();
  std::vector<torch::Tensor> parameters;  // the trained ones (conv0's weight is derived with boxcars)
  for (const torch::Tensor& p : model->parameters())
    if (p.requires_grad()) parameters.push_back(p);
  AdaptiveMomentOptimizer::Options options;
  options.kind = config.optimizer;
  options.learning_rate = config.stages.front().learning_rate;
  options.weight_decay = config.weight_decay;
  AdaptiveMomentOptimizer optimizer(parameters, options);
  const double soma_bias = train.mean_clipped_soma_mV();
  DendritePca pca;
  TrainingResult result;

  TrainingState state;
  bool resumed = false;
  if (fs::exists(checkpoint_path)) {
    try {
      torch::serialize::InputArchive ar, model_ar, opt_ar;
      ar.load_from(checkpoint_path, device);
      torch::Tensor saved_config;
      ar.read("config", saved_config);
      if (!same_shape(config_from_tensor(saved_config, checkpoint_path), model_config))
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
      state.stale_validations = static_cast<int>(read_double(ar, "stale_validations"));
      state.stopped_early = read_double(ar, "stopped_early") != 0;
      torch::Tensor rng;
      ar.read("torch_rng", rng);
      at::Generator generator = at::detail::getDefaultCPUGenerator();
      generator.set_state(rng);
      if (model_config.dendrite_outputs > 0) {
        torch::serialize::InputArchive pca_ar;
        ar.read("dendrite_pca", pca_ar);
        pca = DendritePca::load(pca_ar);
      }
      resumed = true;
    } catch (const c10::Error& e) {
      throw InputError(checkpoint_path + ": unreadable checkpoint (" + std::string(e.what_without_backtrace()) + ")");
    }
  }
  if (!resumed && model_config.dendrite_outputs > 0) pca = fit_pca(reader, config);
  const std::string log_path = (fs::path(out_dir) / "training_log.csv").string();
  TrainingLog training_log(log_path, state.step, writer);
  double loss_since_validation = 0;
  int steps_since_validation = 0;
  if (pca.components() > 0) result.dendrite_pca_explained_variance = pca.explained_variance_ratio.sum().item<double>();

  auto write_checkpoint = [&](double wall) {
    if (!writer) return;
    torch::serialize::OutputArchive ar, model_ar, opt_ar;
    model->save(model_ar);
    optimizer.save(opt_ar);
    ar.write("model", model_ar);
    ar.write("optimizer", opt_ar);
    ar.write("config", config_tensor(model_config));
    ar.write("step", scalar(state.step));
    ar.write("best_step", scalar(state.best_step));
    ar.write("best_score", scalar(state.best_score));
    ar.write("best_auc", scalar(state.best_auc));
    ar.write("wall_seconds", scalar(wall));
    ar.write("stale_validations", scalar(state.stale_validations));
    ar.write("stopped_early", scalar(state.stopped_early ? 1 : 0));
    ar.write("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
    if (pca.components() > 0) {
      torch::serialize::OutputArchive pca_ar;
      pca.save(pca_ar);
      ar.write("dendrite_pca", pca_ar);
    }
    save_archive(ar, checkpoint_path);
  };

  const int total = config.total_steps();
  const auto share = static_cast<std::size_t>(config.batch_size / processes);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return state.wall_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  model->train();
  while (state.step < total && !state.stopped_early) {
    const std::size_t stage_index = config.stage_of(state.step + 1);
    const TrainingStage& stage = config.stages[stage_index];
    optimizer.set_learning_rate(stage.learning_rate);
    const std::vector<DataWindow> windows =
        reader.batch(static_cast<std::uint64_t>(state.step), static_cast<std::size_t>(config.batch_size),
                     static_cast<std::size_t>(group.rank()) * share, share);
    const TrainingBatch batch = make_training_batch(windows, model_config.input_channels, history, config.targets, soma_bias,
                                                    pca.components() > 0 ? &pca : nullptr);
    model->set_dropout_masks(TcnModelImpl::draw_dropout_masks(
        model_config, config.seed, static_cast<std::uint64_t>(state.step), config.batch_size,
        static_cast<std::int64_t>(static_cast<std::size_t>(group.rank()) * share), static_cast<std::int64_t>(share),
        batch.inputs.length));
    // Each process's loss is the mean over its share; their sum over the
    // group, divided by the group size, is the global batch's mean.
    const torch::Tensor loss =
        batch_loss(model, batch, stage.loss, config.input_layer, device) / static_cast<double>(processes);
    optimizer.zero_grad();
    loss.backward();
    if (processes > 1) allreduce_gradients(parameters, group);
    torch::Tensor loss_sum = loss.detach().to(torch::kCPU, torch::kFloat64).reshape({1}).contiguous();
    group.allreduce_sum(loss_sum);
    const double loss_value = loss_sum.item<double>();
    loss_since_validation += loss_value;
    ++steps_since_validation;
    auto keep = [&] {
      return state.step >= config.checkpoint_every
                 ? "The last good checkpoint (step " + std::to_string(state.step - state.step % config.checkpoint_every) +
                       ") is kept in " + checkpoint_path
                 : std::string("No checkpoint was written yet");
    };
    if (!std::isfinite(loss_value))
      throw TrainingError("training loss is " + std::to_string(loss_value) + " at step " + std::to_string(state.step + 1) +
                          " (stage " + std::to_string(stage_index + 1) + ", learning rate " +
                          std::to_string(stage.learning_rate) + "); stopped. " + keep() +
                          " (lower the learning rate and rerun to resume from it)");
    for (const auto& item : named) {
      const torch::Tensor& g = item.value().grad();
      if (g.defined() && !torch::isfinite(g).all().item<bool>())
        throw TrainingError("non-finite gradient of " + item.key() + " at step " + std::to_string(state.step + 1) +
                            " (loss " + std::to_string(loss_value) + "); stopped before the update. " + keep() +
                            " (lower the learning rate and rerun to resume from it)");
    }
    optimizer.step();
    ++state.step;

    TrainingProgress progress;
    progress.step = state.step;
    progress.total_steps = total;
    progress.stage = stage_index;
    progress.learning_rate = stage.learning_rate;
    progress.train_loss = loss_value;
    if (state.step % config.validate_every == 0 || state.step == total) {
      const EvaluationMetrics m = evaluate_tcn(model, soma_bias, valid_source, config.targets, device, config.input_layer);
      const double score = std::isfinite(m.spike_auc) ? m.spike_auc : -m.soma_rmse_mV;
      progress.validated = true;
      progress.valid_auc = m.spike_auc;
      progress.valid_soma_rmse_mV = m.soma_rmse_mV;
      training_log.append(state.step, elapsed(), stage.learning_rate, loss_since_validation / std::max(1, steps_since_validation), m);
      loss_since_validation = 0;
      steps_since_validation = 0;
      if (score > state.best_score) {
        state.best_score = score;
        state.best_auc = m.spike_auc;
        state.best_step = state.step;
        state.stale_validations = 0;
        if (writer) save_trained(model, soma_bias, config.targets.soma_clip_mV, pca.components() > 0 ? &pca : nullptr, best_path);
        progress.improved = true;
      } else if (++state.stale_validations >= config.early_stopping_validations && config.early_stopping_validations > 0) {
        state.stopped_early = true;
        progress.stopped_early = true;
      }
    }
    if (state.step % config.checkpoint_every == 0 || state.step == total || state.stopped_early) write_checkpoint(elapsed());
    if (on_progress) on_progress(progress);
  }
  result.steps_done = state.step;
  result.best_step = state.best_step;
  result.best_valid_auc = state.best_auc;
  result.soma_bias_mV = soma_bias;
  result.wall_seconds = elapsed();
  result.stopped_early = state.stopped_early;
  result.best_model_path = best_path;
  return result;
}

}  // namespace neurotwin
