#include "commands.hpp"

#include <H5public.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "neurotwin/datasets/dataset_generation.hpp"
#include "neurotwin/datasets/dataset_inspection.hpp"
#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/datasets/reference_file.hpp"
#include "neurotwin/datasets/sha256.hpp"
#include "cell_file.hpp"
#include "mpi_world.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/cell_description.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/simulator/neurolucida.hpp"
#include "neurotwin/simulator/swc.hpp"
#include "neurotwin/report/report_writer.hpp"
#include "neurotwin/surrogate/exporter.hpp"
#include "neurotwin/surrogate/metrics.hpp"
#include "neurotwin/surrogate/reference_simulations.hpp"
#include "neurotwin/surrogate/trainer.hpp"
#include "neurotwin/version.hpp"
#include "progress.hpp"

namespace neurotwin::cli {

namespace fs = std::filesystem;

void write_text_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::absolute(path).parent_path());
  const std::string tmp = path + ".partial" + std::to_string(::getpid());  // unique: MPI ranks may write at once
  {
    std::ofstream out(tmp);
    out << text;
    if (!out) throw InputError(tmp + ": cannot write");
  }
  fs::rename(tmp, path);
}

namespace {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(sa, la)), gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return "";
    if (la != lb || ga != gb) return "there: '" + la + "', now: '" + lb + "'";
  }
}

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

torch::Device pick_device(const std::string& name) {
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  try {
    torch::Device d(name);
    if (d.is_cuda() && !torch::cuda::is_available())
      throw InputError("--device " + name + ": CUDA is not available in this build or on this machine (LibTorch " +
                       TORCH_VERSION + ")");
    return d;
  } catch (const c10::Error&) {
    throw InputError("--device '" + name + "' is not a device (use auto, cpu, cuda or cuda:N)");
  }
}

}  // namespace

int dendrite_node(const CellModel& cell, const std::string& location) {
  if (location.empty()) return -1;
  const auto open = location.find('(');
  const auto close = location.rfind(')');
  if (open == std::string::npos || close != location.size() - 1)
    throw InputError("cell.record_dendrite: '" + location + "' is not of the form section(x), e.g. apic[2](0.5)");
  const std::string section = location.substr(0, open);
  double x = 0;
  try {
    x = std::stod(location.substr(open + 1, close - open - 1));
  } catch (const std::exception&) {
    throw InputError("cell.record_dendrite: '" + location + "' has no valid x");
  }
  if (x < 0 || x > 1) throw InputError("cell.record_dendrite: x must be in [0, 1]");
  int index = 0;
  try {
    index = cell.geometry.section_by_name(section);
  } catch (const InputError& e) {
    throw InputError(std::string("cell.record_dendrite: ") + e.what());
  }
  return cell.geometry.segments[static_cast<std::size_t>(cell.geometry.segment_at(index, x))].node;
}

namespace {

std::vector<std::string> channel_descriptions(const DatasetHeader& header) {
  std::vector<std::string> out;
  for (const char* kind : {"excitatory", "inhibitory"})
    for (const SegmentInfo& s : header.segments) {
      std::ostringstream o;
      o << kind << " synapse on " << s.section << "(" << s.x << ") [" << s.tree << ", " << s.distance_um
        << " um from the soma]";
      out.push_back(o.str());
    }
  return out;
}

}  // namespace

std::string split_path(const ExperimentConfig& config, const std::string& split) {
  return (fs::path(config.resolved_data_dir()) / (split + ".h5")).string();
}

BuiltCell build_cell(const ExperimentConfig& config) {
  const std::string& source = config.cell.morphology;
  std::string extension = fs::path(source).extension().string();
  for (char& ch : extension) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto read_file = [&] { return extension == ".asc" ? read_neurolucida(source) : read_swc(source); };
  BuiltCell built;
  std::string site = config.cell.record_dendrite;
  if (config.cell.model == "simple") {
    const Morphology morphology = source == "builtin" ? builtin_pyramidal_morphology() : read_file();
    built.morphology_sha256 = sha256_hex(morphology.canonical_text());
    built.cell = build_simple_cell(morphology, config.cell.biophysics, config.cell.segments);
    if (site == "auto") site = "apic[2](0.5)";
  } else {
    const CellDescription description = load_cell_description(config.cell.model);
    Morphology morphology;
    std::string auto_site = description.record_dendrite;
    if (source == "builtin") {
      BuiltinMorphology b = builtin_l5pc_morphology();
      morphology = std::move(b.morphology);
      auto_site = b.recording_site;
    } else {
      morphology = read_file();
    }
    built.morphology_sha256 = sha256_hex(morphology.canonical_text());
    built.cell = build_described_cell(morphology, description, config.cell.segments, config.simulation.rate_tables);
    built.cell.name = morphology.name + " (" + description.name + ")";
    if (site == "auto") site = auto_site;
  }
  built.record_dendrite = site;
  dendrite_node(built.cell, site);  // a bad location fails here, before any work
  return built;
}

std::vector<Override> parse_overrides(const std::vector<std::string>& set) {
  std::vector<Override> overrides;
  for (const std::string& s : set) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError("--set '" + s + "': expected key=value");
    overrides.push_back({s.substr(0, eq), s.substr(eq + 1)});
  }
  return overrides;
}

int run_print_config(const CommonOptions& options) {
  std::fputs(resolved_yaml(load_config(options.config_path, parse_overrides(options.set))).c_str(), stdout);
  return 0;
}

Context make_context(const CommonOptions& options) {
  std::vector<Override> overrides = parse_overrides(options.set);
  if (!options.output_dir.empty()) overrides.push_back({"output_dir", options.output_dir});
  Context ctx;
  ctx.config = load_config(options.config_path, overrides);
  if (options.threads < 0) throw InputError("--threads must be >= 0");
  ctx.threads = options.threads > 0 ? options.threads : std::max(1, hardware_threads() / std::max(1, options.processes_per_node));
  ctx.lanes = options.lanes;
  torch::set_num_threads(ctx.threads);  // Debian's LibTorch defaults to 1
  ctx.device = pick_device(options.device);
  ctx.overwrite = options.overwrite;

  const fs::path out(ctx.config.output_dir);
  fs::create_directories(out);
  const std::string resolved = resolved_yaml(ctx.config);
  const std::string saved = (out / "config.resolved.yaml").string();
  if (fs::exists(saved)) {
    // Compared without the keys that change no result (results_yaml), when the saved file still loads.
    std::string previous = read_text_file(saved), current = resolved;
    try {
      previous = results_yaml(load_config(saved, {}));
      current = results_yaml(ctx.config);
    } catch (const InputError&) {
      // a file of another version: compared as text
    }
    if (previous != current) {
      if (!ctx.overwrite)
        throw InputError(ctx.config.output_dir + ": holds results of a different configuration (" +
                         first_difference(previous, current) +
                         "); use --overwrite to replace them, or another output_dir");
      log_line("--overwrite: replacing the configuration saved in " + saved);
    }
  }
  write_text_file(saved, resolved);
  return ctx;
}

std::string write_evaluation_json(const ExperimentConfig& config, const std::string& model_path,
                                  const EvaluationMetrics& m) {
  const std::string path = (fs::path(config.output_dir) / "evaluation" / "metrics.json").string();
  write_text_file(path, evaluation_json(model_path, split_path(config, "test"), m));
  return path;
}

std::string describe_metrics(const EvaluationMetrics& m) {
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, "spike AUC %.4f", m.spike_auc);
  if (std::isfinite(m.spike_auc_ci_low))
    n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), " (95%% CI %.4f-%.4f)", m.spike_auc_ci_low,
                       m.spike_auc_ci_high);
  n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n),
                     ", FCI %.3f, TPR@0.25%%FPR %.3f, TPR@1%%FPR %.3f", functional_complexity_index(m.spike_auc),
                     m.tpr_at_fpr_0p25, m.tpr_at_fpr_1);
  if (std::isfinite(m.operating_threshold))
    n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n),
                       ", at threshold %.3g: FPR %.4f, spikes within 2/5 ms %.3f/%.3f", m.operating_threshold,
                       m.operating_fpr, m.spikes_within_2ms, m.spikes_within_5ms);
  std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n),
                ", soma RMSE %.3f mV, explained variance %.3f (%zu simulations, %zu bins, %zu spikes)", m.soma_rmse_mV,
                m.soma_explained_variance, m.simulations, m.bins, m.spikes);
  return buf;
}

TrainingResult train_with_progress(const Context& ctx, const TcnConfig& model, const SurrogateData& train,
                                   const SurrogateData& valid, const std::string& dir, Progress* progress,
                                   ProcessGroup& group) {
  double last_auc = std::nan("");
  return train_tcn(model, ctx.config.training, train, valid, dir, ctx.device, group, [&](const TrainingProgress& p) {
    if (!progress) return;
    if (p.validated) last_auc = p.valid_auc;
    char detail[160];
    std::snprintf(detail, sizeof detail, "stage %zu, lr %.3g, loss %.4f, valid AUC %.4f%s", p.stage + 1, p.learning_rate,
                  p.train_loss, last_auc, p.stopped_early ? " (early stop)" : "");
    progress->update(static_cast<std::size_t>(p.step), detail);
  });
}

int run_train(Context& ctx, const MpiWorld& world) {
  const ExperimentConfig& c = ctx.config;
  const fs::path dir = fs::path(c.output_dir) / "train";
  const bool root = world.rank() == 0;
  if (ctx.overwrite && root) fs::remove_all(dir);
  world.any(false);  // the others wait until rank 0 has cleared the directory
  const SurrogateData train = SurrogateData::open({split_path(c, "train")}, c.training.targets);
  const SurrogateData valid = SurrogateData::open({split_path(c, "valid")}, c.training.targets);
  if (c.model_architecture == "glm") {
    if (world.active()) throw InputError("model.architecture glm: the GLM is fitted by one process (run without mpirun)");
    log_line("fitting the GLM baseline on " + std::to_string(train.size()) + " simulations");
    const TrainingResult r = train_glm(c.glm, c.training.targets, train, valid, dir.string());
    std::printf("GLM baseline: validation AUC %.4f, %d Newton iterations, %.1f s; %s\n", r.best_valid_auc, r.steps_done,
                r.wall_seconds, r.best_model_path.c_str());
    return 0;
  }
  TcnConfig model = c.model;
  model.input_channels = static_cast<int>(train.input_count());
  if (root)
    log_line("training a " + std::to_string(model.depth) + " x " + std::to_string(model.width) + " TCN on " +
             std::to_string(train.size()) + " simulations (" + ctx.device.str() + ", " + std::to_string(ctx.threads) +
             " threads" + (world.active() ? " x " + std::to_string(world.size()) + " MPI processes" : "") + ", " +
             c.training_keys.input_layer + " input layer, " + c.training_keys.optimizer + ", " +
             std::to_string(c.training.stages.size()) + " stage(s))");
  std::unique_ptr<Progress> progress;
  if (root) progress = std::make_unique<Progress>("train", static_cast<std::size_t>(c.training.total_steps()), "steps");
  MpiProcessGroup group(world);
  const TrainingResult r = train_with_progress(ctx, model, train, valid, dir.string(), progress.get(), group);
  if (!root) return 0;
  char detail[320];
  std::snprintf(detail, sizeof detail, "best valid AUC %.4f at step %d%s; %s", r.best_valid_auc, r.best_step,
                r.stopped_early ? " (stopped early)" : "", r.best_model_path.c_str());
  progress->finish(detail);
  if (r.dendrite_pca_explained_variance > 0)
    log_line("dendritic PCA: " + std::to_string(c.training.dendrite_pca_components) + " components explain " +
             std::to_string(100 * r.dendrite_pca_explained_variance) + "% of the training voltages' variance");
  return 0;
}

int run_evaluate(Context& ctx, const std::string& model_path_in, const std::vector<std::string>& reference_files) {
  const ExperimentConfig& c = ctx.config;
  const std::string model_path =
      model_path_in.empty() ? (fs::path(c.output_dir) / "train" / "best_model.pt").string() : model_path_in;
  TrainedSurrogate trained = load_trained(model_path, ctx.device);
  const std::string valid_path = split_path(c, "valid");
  if (reference_files.empty()) {
    const SurrogateData valid = SurrogateData::open({valid_path}, c.training.targets);
    const SurrogateData test = SurrogateData::open({split_path(c, "test")}, c.training.targets);
    const EvaluationMetrics m = score_trained(trained, valid, test, c.training.targets, ctx.device, c.training.input_layer);
    const std::string out = write_evaluation_json(c, model_path, m);
    std::printf("test metrics of %s:\n  %s\n", model_path.c_str(), describe_metrics(m).c_str());
    log_line("wrote " + out);
    return 0;
  }
  const ReferenceSimulations reference =
      ReferenceSimulations::open(reference_files, trained.input_count() / 2, c.training.targets);
  ScoringOptions options;
  options.bootstrap_replicates = kAucBootstrapReplicates;
  const EventForward forward = trained_forward(trained, ctx.device, c.training.input_layer);
  if (fs::exists(valid_path)) {
    const SurrogateData valid = SurrogateData::open({valid_path}, c.training.targets);
    options.operating_threshold = operating_threshold(predict_forward(forward, trained.soma_bias_mV, valid, c.training.targets));
  } else {
    log_line(valid_path + ": not there, so no operating threshold: spike timing is not scored");
  }
  const EvaluationMetrics all = evaluate_forward(forward, trained.soma_bias_mV, reference, c.training.targets, options);
  std::printf("metrics of %s on %zu NEURON reference file(s):\n", model_path.c_str(), reference.size());
  for (std::size_t k = 0; k < reference.size() && reference.size() > 1; ++k) {
    const SimulationSubset one(reference, {k});
    ScoringOptions single = options;
    single.bootstrap_replicates = 0;
    std::printf("  %s: %s\n", reference.files()[k].c_str(),
                describe_metrics(evaluate_forward(forward, trained.soma_bias_mV, one, c.training.targets, single)).c_str());
  }
  std::printf("  all: %s\n", describe_metrics(all).c_str());
  std::fflush(stdout);
  std::string files;
  for (const std::string& f : reference_files) files += (files.empty() ? "" : " ") + fs::absolute(f).string();
  const std::string out = (fs::path(c.output_dir) / "evaluation" / "reference_metrics.json").string();
  write_text_file(out, evaluation_json(model_path, files, all));
  log_line("wrote " + out);
  return 0;
}

int run_export(Context& ctx, const std::string& model_path_in, const std::string& output_in,
               const std::vector<std::string>& reference_files) {
  const ExperimentConfig& c = ctx.config;
  const std::string model_path =
      model_path_in.empty() ? (fs::path(c.output_dir) / "train" / "best_model.pt").string() : model_path_in;
  const std::string output = !output_in.empty() ? output_in
                             : fs::path(c.export_.file).is_absolute() ? c.export_.file
                                                                       : (fs::path(c.output_dir) / "export" / c.export_.file).string();
  TrainedSurrogate trained = load_trained(model_path, torch::kCPU);
  if (trained.is_glm())
    throw InputError(model_path + ": is the GLM baseline, the floor networks are compared with; export writes TCN "
                     "surrogates (give --model a TCN's best_model.pt)");
  const DatasetReader train(split_path(c, "train"));
  if (train.input_count() != static_cast<std::size_t>(trained.model->config().input_channels))
    throw InputError(model_path + ": model has " + std::to_string(trained.model->config().input_channels) +
                     " inputs but " + split_path(c, "train") + " has " + std::to_string(train.input_count()));
  ExportMetadata meta;
  meta.input_descriptions = channel_descriptions(train.header());
  meta.facts = {{"trained_model", model_path},
                {"training_data", fs::absolute(split_path(c, "train")).string()},
                {"cell", std::get<std::string>(train.attribute("cell.name"))},
                {"morphology_sha256", std::get<std::string>(train.attribute("cell.morphology_sha256"))},
                {"seed", std::to_string(c.seed)},
                {"soma_clip_mV", std::to_string(trained.soma_clip_mV)}};
  const std::string valid_path = split_path(c, "valid");
  if (fs::exists(valid_path)) {
    const SurrogateData valid = SurrogateData::open({valid_path}, c.training.targets);
    meta.operating_threshold = operating_threshold(predict_forward(trained_forward(trained, torch::kCPU, c.training.input_layer),
                                                                   trained.soma_bias_mV, valid, c.training.targets));
  }
  const fs::path row_file = fs::path(model_path).parent_path() / "result.yaml";
  const fs::path metrics = fs::path(c.output_dir) / "evaluation" / "metrics.json";
  if (fs::exists(row_file)) {
    // A sweep's network: its validation AUC, test metrics and training time, and how the sweep ranks it.
    const SweepRow row = load_sweep_row(row_file.string());
    std::vector<SweepRow> rows;
    for (const auto& entry : fs::directory_iterator(fs::path(model_path).parent_path().parent_path()))
      if (fs::exists(entry.path() / "result.yaml")) rows.push_back(load_sweep_row((entry.path() / "result.yaml").string()));
    std::sort(rows.begin(), rows.end(), [](const SweepRow& a, const SweepRow& b) { return a.name() < b.name(); });
    meta.facts.push_back({"sweep_row", row.name()});
    meta.facts.push_back({"sweep_selection", describe_sweep_selection(rows, row.name(), c.sweep.auc_margin)});
    meta.facts.push_back({"validation_auc", std::to_string(row.valid_auc)});
    meta.facts.push_back({"training_seconds", std::to_string(row.training_seconds)});
    meta.sections.push_back({"test_metrics", metrics_json(row.test)});
  } else if (fs::exists(metrics)) {
    meta.sections.push_back({"evaluation", read_text_file(metrics.string())});
  }
  if (!reference_files.empty()) {
    const ReferenceSimulations reference =
        ReferenceSimulations::open(reference_files, trained.input_count() / 2, c.training.targets);
    ScoringOptions options;
    options.operating_threshold = meta.operating_threshold;
    const EvaluationMetrics m = evaluate_forward(trained_forward(trained, torch::kCPU, c.training.input_layer),
                                                 trained.soma_bias_mV, reference, c.training.targets, options);
    std::string files;
    for (const std::string& f : reference_files) files += (files.empty() ? "" : " ") + fs::path(f).filename().string();
    meta.facts.push_back({"reference_files", files});
    // A neurotwin replay as the reference (no NEURON run of this cell): which inputs on which cell, so
    // that the reference can be made again (`neurotwin simulate --inputs`).
    const ReferenceRecording first = read_reference_file(reference_files.front(), /*require_traces=*/false);
    if (!first.replay_cell_model.empty()) {
      meta.facts.push_back({"reference_replay_cell", first.replay_cell_model});
      meta.facts.push_back({"reference_replay_inputs", fs::path(first.replay_inputs_file).filename().string()});
    }
    meta.sections.push_back({"reference_metrics", metrics_json(m)});
    std::printf("on %s: %s\n", files.c_str(), describe_metrics(m).c_str());
  }
  const bool dendrites = trained.dendrite_pca.components() > 0;
  export_torchscript(trained.model, trained.soma_bias_mV, trained.soma_clip_mV, output, meta, ctx.overwrite,
                     dendrites ? &trained.dendrite_pca : nullptr);
  std::printf("exported %s\n  and %s\n  load in Python: m = torch.jit.load('%s'); p, v = m(x)  # x: [batch, %d, T] float\n",
              output.c_str(), sidecar_path(output).c_str(), output.c_str(), trained.model->config().input_channels);
  if (dendrites)
    std::printf("  dendritic voltages: p, v, d = m.forward_dendrites(x)  # d: [batch, %lld segments, T] mV\n",
                static_cast<long long>(trained.dendrite_pca.mean_mV.numel()));
  return 0;
}

int run_report(const Context& ctx) {
  const ExperimentConfig& c = ctx.config;
  ReportOptions o;
  o.output_dir = c.output_dir;
  o.test_file = split_path(c, "test");
  o.title = c.cell.model + " cell, " + c.protocol_preset + " protocol";
  std::ostringstream d;
  d << "Run `" << c.output_dir << "` (configuration: `config.resolved.yaml`, seed " << c.seed << "; morphology `"
    << c.cell.morphology << "`): " << c.dataset.train_simulations
    << " training, " << c.dataset.valid_simulations << " validation and " << c.dataset.test_simulations << " test simulations of "
    << c.simulation.duration_ms / 1000.0 << " s; training recipe `" << c.training_keys.recipe << "`, "
    << c.training.total_steps() << " steps at most, batch " << c.training.batch_size << ".";
  o.description = d.str();
  o.targets = c.training.targets;
  o.device = ctx.device;
  o.input_layer = c.training.input_layer;
  log_line("writing the report of " + c.output_dir);
  const ReportResult r = write_report(o);
  for (const std::string& s : r.skipped) log_line("report: skipped " + s);
  std::printf("report: %s (%zu figures)\n", r.markdown_path.c_str(), r.figures.size());
  std::fflush(stdout);
  return 0;
}

int run_info(const CommonOptions& options) {
  const int threads = options.threads > 0 ? options.threads : hardware_threads();
  torch::set_num_threads(threads);
  unsigned h5_major = 0, h5_minor = 0, h5_release = 0;
  H5get_libversion(&h5_major, &h5_minor, &h5_release);
  std::printf("neurotwin %s (build %s)\n", kVersion, kBuild);
  std::printf("LibTorch  %s\n", TORCH_VERSION);
  std::printf("HDF5      %u.%u.%u\n", h5_major, h5_minor, h5_release);
  std::printf("threads   %d (LibTorch intra-op: %d; cores: %d)\n", threads, torch::get_num_threads(), hardware_threads());
  const bool cuda = torch::cuda::is_available();
  std::printf("CUDA      %s", cuda ? "available" : "not available");
  if (cuda) std::printf(", %zu device(s)", torch::cuda::device_count());
  std::printf("\ndevice    %s (with --device %s)\n", pick_device(options.device).str().c_str(), options.device.c_str());
  return 0;
}

}  // namespace neurotwin::cli
