// `neurotwin predict`: an exported surrogate streamed over one simulation's
// inputs (a dataset simulation or a NEURON reference-layout file); writes the
// prediction in the reference layout, prints the metrics when the file holds
// the truth.
#include <cstdio>
#include <filesystem>

#include "commands.hpp"
#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/datasets/reference_file.hpp"
#include "neurotwin/report/png_figure.hpp"
#include "neurotwin/report/report_figures.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/surrogate/reference_simulations.hpp"
#include "neurotwin/surrogate/stream_prediction.hpp"
#include "neurotwin/surrogate/training_data.hpp"
#include "neurotwin/version.hpp"

namespace neurotwin::cli {

namespace fs = std::filesystem;

int run_predict(const PredictOptions& o) {
  const StreamWeights weights = load_stream_weights(o.model_path);
  const auto segments = static_cast<std::size_t>(weights.input_channels() / 2);
  const TargetConventions targets;  // the datasets' conventions: soma clipped at -55 mV, first 500 ms not scored
  SurrogateSimulation simulation;
  std::size_t bins = 0;
  std::vector<float> soma_true_mV;
  std::vector<double> spikes_true_ms;
  std::vector<float> dendritic_true_mV;  // [S x T], when the dataset stored them
  std::string description;
  if (is_reference_file(o.inputs_path)) {
    const ReferenceSimulations reference = ReferenceSimulations::open({o.inputs_path}, segments, targets);
    simulation = reference.simulation(0);
    bins = reference.bins();
    const ReferenceRecording r = read_reference_file(o.inputs_path);
    soma_true_mV = r.soma_at_whole_ms(bins);
    spikes_true_ms = r.dataset_spike_times_ms();
    description = "NEURON reference-layout inputs";
  } else {
    const SurrogateData data = SurrogateData::open({o.inputs_path}, targets);
    if (o.simulation >= data.size())
      throw InputError(o.inputs_path + ": --simulation " + std::to_string(o.simulation) + " out of range (the file holds " +
                       std::to_string(data.size()) + ")");
    if (data.input_count() != static_cast<std::size_t>(weights.input_channels()))
      throw InputError(o.inputs_path + ": " + std::to_string(data.input_count()) + " input channels, the model has " +
                       std::to_string(weights.input_channels()));
    simulation = data.simulation(o.simulation);
    bins = data.bins();
    const DatasetReader reader(o.inputs_path);
    soma_true_mV = reader.read_soma(o.simulation);
    spikes_true_ms = reader.read_spikes(o.simulation);
    if (reader.header().store_segment_voltages && weights.has_dendrites()) {
      if (reader.header().segments.size() != static_cast<std::size_t>(weights.dendritic_segments()))
        throw InputError(o.inputs_path + ": " + std::to_string(reader.header().segments.size()) +
                         " segments, the model's dendritic head has " + std::to_string(weights.dendritic_segments()));
      dendritic_true_mV = reader.read_segment_voltages(o.simulation, 0, bins);
    }
    description = "simulation " + std::to_string(o.simulation) + " of a neurotwin dataset";
  }
  SurrogateStream stream(weights, 1);
  const StreamedPrediction p = stream_simulation(stream, simulation, bins);

  std::string output = o.output_path;
  if (output.empty())
    output = (fs::path(o.inputs_path).stem().string() +
              (is_reference_file(o.inputs_path) ? "" : "-sim" + std::to_string(o.simulation)) + "-prediction.h5");
  if (fs::exists(output) && !o.overwrite) throw InputError(output + ": exists; use --overwrite to replace it");
  ReferenceLayoutFile file;
  file.float32.emplace_back("spike_probability", p.spike_probability);
  file.float32.emplace_back("soma_v_mV", p.soma_v_mV);
  file.float64.emplace_back("spike_times_ms", p.spike_times_ms);
  if (p.dendritic_segments > 0) {
    file.float32_matrices.push_back({"dendritic_v_mV", p.dendritic_segments, bins, p.dendritic_v_mV});
    file.dataset_text_attributes.push_back(
        {"dendritic_v_mV", {"description", "every input segment's voltage [segments, ms] (rows: the model's input segments), "
                                           "reconstructed from the predicted principal components"}});
  }
  file.text_attributes = {{"model", fs::absolute(o.model_path).string()},
                          {"inputs_file", fs::absolute(o.inputs_path).string()},
                          {"inputs", description},
                          {"spike_probability", "bin t: probability of an output spike in t + 0.5 .. t + 1.5 ms"},
                          {"spike_times_ms", "one per run of bins at or above the operating threshold: its most probable bin + 1 ms"},
                          {"simulator", std::string("neurotwin ") + kVersion + " surrogate (" + kBuild + ")"}};
  file.number_attributes = {{"sample_dt_ms", 1.0}, {"duration_ms", static_cast<double>(bins)},
                            {"operating_threshold", weights.operating_threshold}};
  write_reference_layout(output, file);
  std::printf("%s: %zu ms predicted (%s), %zu predicted spikes at threshold %.3g\n", output.c_str(), bins, description.c_str(),
              p.spike_times_ms.size(), weights.operating_threshold);
  const EvaluationMetrics m = score_streamed(p, simulation, targets, weights.operating_threshold);
  std::printf("against the file's own output (%zu spikes): %s\n", spikes_true_ms.size(), describe_metrics(m).c_str());
  if (!dendritic_true_mV.empty() && p.dendritic_segments > 0) {
    const DendriticFit fit =
        score_dendrites(p, dendritic_true_mV, static_cast<std::size_t>(targets.ignore_first_ms), weights.dendrite_clip_mV);
    std::printf("dendritic voltages (%zu segments): RMSE %.3f mV, explained variance %.4f\n", p.dendritic_segments,
                fit.rmse_mV, fit.explained_variance);
  }
  if (o.plot) {
    require_png_driver();
    PredictionTrace trace;
    trace.label = fs::path(o.inputs_path).filename().string() + ": " + std::to_string(spikes_true_ms.size()) + " spikes";
    trace.soma_true_mV = soma_true_mV;
    trace.soma_true_mV.resize(bins);
    trace.soma_predicted_mV = p.soma_v_mV;
    trace.spike_probability = p.spike_probability;
    trace.spike_times_ms = spikes_true_ms;
    trace.zoom_start_ms = burst_window_start(spikes_true_ms, static_cast<double>(bins), 500, targets.ignore_first_ms);
    const std::string png = fs::path(output).replace_extension(".png").string();
    plot_predictions({trace}, weights.operating_threshold, fs::path(o.model_path).filename().string() + " on " +
                     fs::path(o.inputs_path).filename().string(), png);
    std::printf("%s: overlay of prediction and truth\n", png.c_str());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace neurotwin::cli
