#include "neurotwin/surrogate/exporter.hpp"

#include <torch/script.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/version.hpp"

namespace neurotwin {

namespace fs = std::filesystem;

std::string sidecar_path(const std::string& model_path) {
  return fs::path(model_path).replace_extension(".yaml").string();
}

void export_torchscript(const TcnModel& model, double soma_bias_mV, double soma_clip_mV, const std::string& path,
                        const ExportMetadata& metadata, bool overwrite, const DendritePca* dendrite_pca) {
  const std::string yaml_path = sidecar_path(path);
  if (yaml_path == path) throw InputError(path + ": export path must not end in .yaml");
  for (const std::string& p : {path, yaml_path})
    if (fs::exists(p) && !overwrite) throw InputError(p + ": already exists (use --overwrite to replace it)");
  const TcnConfig& c = model->config();
  auto& dendrite = const_cast<TcnModel&>(model)->dendrite_head();
  const bool dendrites = !dendrite.is_empty();
  if (dendrites && (dendrite_pca == nullptr || dendrite_pca->components() != c.dendrite_outputs))
    throw InputError(path + ": the model has a dendritic head of " + std::to_string(c.dendrite_outputs) +
                     " components; its export needs the PCA those components were trained on");
  if (!dendrites && dendrite_pca != nullptr)
    throw InputError(path + ": a dendritic PCA was given, but the model has no dendritic head");

  torch::jit::Module module("NeurotwinTcn");
  std::ostringstream src;
  src << "def features(self, x):\n";
  src << "    h = x\n";
  if (c.input_projection > 0) {
    module.register_parameter("projection", model->input_projection_weight().detach().clone().to(torch::kCPU), false);
    src << "    h = torch.conv1d(h, self.projection)\n";
  }
  if (!c.first_layer_windows_ms.empty()) {
    // The first kernel's boxcar form, for streaming by running sums (w0 = coefficients x boxcars).
    module.register_parameter("first_boxcar_coefficients", model->folded_boxcar_coefficients().to(torch::kCPU), false);
    module.register_buffer("first_windows_ms",
                           torch::tensor(std::vector<std::int64_t>(c.first_layer_windows_ms.begin(), c.first_layer_windows_ms.end())));
  }
  for (int i = 0; i < c.depth; ++i) {
    auto [w, b] = model->folded_layer(i);
    module.register_parameter("w" + std::to_string(i), w.to(torch::kCPU), false);
    module.register_parameter("b" + std::to_string(i), b.to(torch::kCPU), false);
    const int k = i == 0 ? c.first_kernel_ms : c.kernel_ms;
    src << "    h = torch.relu(torch.conv1d(torch.constant_pad_nd(h, [" << k - 1 << ", 0], 0.0), self.w" << i << ", self.b"
        << i << "))\n";
  }
  auto& spike = const_cast<TcnModel&>(model)->spike_head();
  auto& soma = const_cast<TcnModel&>(model)->soma_head();
  module.register_parameter("spike_w", spike->weight.detach().clone().to(torch::kCPU), false);
  module.register_parameter("spike_b", spike->bias.detach().clone().to(torch::kCPU), false);
  module.register_parameter("soma_w", soma->weight.detach().clone().to(torch::kCPU), false);
  module.register_parameter("soma_b", soma->bias.detach().clone().to(torch::kCPU), false);
  std::ostringstream bias;
  bias.precision(17);
  bias << soma_bias_mV;
  src << "    return h\n";
  src << "def forward(self, x):\n";
  src << "    h = self.features(x)\n";
  src << "    p = torch.sigmoid(torch.conv1d(h, self.spike_w, self.spike_b)).squeeze(1)\n";
  src << "    v = torch.conv1d(h, self.soma_w, self.soma_b).squeeze(1) + " << bias.str() << "\n";
  src << "    return p, v\n";
  if (dendrites) {
    module.register_parameter("dendrite_w", dendrite->weight.detach().clone().to(torch::kCPU), false);
    module.register_parameter("dendrite_b", dendrite->bias.detach().clone().to(torch::kCPU), false);
    module.register_parameter("dendrite_basis_mV", dendrite_pca->reconstruction_basis().to(torch::kFloat32), false);
    module.register_parameter("dendrite_mean_mV", dendrite_pca->mean_mV.to(torch::kFloat32).contiguous(), false);
    src << "def forward_dendrites(self, x):\n";
    src << "    h = self.features(x)\n";
    src << "    p = torch.sigmoid(torch.conv1d(h, self.spike_w, self.spike_b)).squeeze(1)\n";
    src << "    v = torch.conv1d(h, self.soma_w, self.soma_b).squeeze(1) + " << bias.str() << "\n";
    src << "    z = torch.conv1d(h, self.dendrite_w, self.dendrite_b)\n";
    src << "    d = torch.matmul(self.dendrite_basis_mV, z) + self.dendrite_mean_mV.unsqueeze(1)\n";
    src << "    return p, v, d\n";
  }
  const bool threshold_known = std::isfinite(metadata.operating_threshold);
  const double threshold = threshold_known ? metadata.operating_threshold : 0.5;
  module.register_attribute("soma_bias_mV", c10::FloatType::get(), soma_bias_mV);
  module.register_attribute("operating_threshold", c10::FloatType::get(), threshold);
  if (dendrites) module.register_attribute("dendrite_clip_mV", c10::FloatType::get(), dendrite_pca->clip_mV);
  module.define(src.str());
  module.eval();
  const std::string tmp = path + ".partial";
  fs::create_directories(fs::absolute(path).parent_path());
  module.save(tmp);

  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "format" << YAML::Value << "TorchScript (torch.jit.load)";
  y << YAML::Key << "software" << YAML::Value << (std::string("neurotwin ") + kVersion + " (" + kBuild + ")");
  y << YAML::Key << "inputs" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "x" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "shape" << YAML::Value << "[batch, channels, time]";
  y << YAML::Key << "dtype" << YAML::Value << "float32";
  y << YAML::Key << "channels" << YAML::Value << c.input_channels;
  y << YAML::Key << "time_bin_ms" << YAML::Value << 1;
  y << YAML::Key << "values" << YAML::Value << "1 where an input spike falls in the 1-ms bin, else 0";
  y << YAML::Key << "channel_order" << YAML::Value << YAML::BeginSeq;
  for (const std::string& d : metadata.input_descriptions) y << d;
  y << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
  y << YAML::Key << "outputs" << YAML::Value << YAML::BeginSeq;
  y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "spike_probability" << YAML::Key << "shape" << YAML::Value
    << "[batch, time]" << YAML::Key << "units" << YAML::Value
    << "probability of an output spike in the next bin (bin t predicts a spike at t + 0.5 .. t + 1.5 ms)" << YAML::EndMap;
  y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "soma_v_mV" << YAML::Key << "shape" << YAML::Value
    << "[batch, time]" << YAML::Key << "units" << YAML::Value << "mV" << YAML::Key << "note" << YAML::Value
    << "somatic voltage at the bin start, trained on the voltage clipped at " + std::to_string(soma_clip_mV) + " mV"
    << YAML::EndMap;
  if (dendrites)
    y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "dendritic_v_mV" << YAML::Key << "shape" << YAML::Value
      << "[batch, segments, time]" << YAML::Key << "units" << YAML::Value << "mV" << YAML::Key << "method" << YAML::Value
      << "forward_dendrites(x) -> (spike_probability, soma_v_mV, dendritic_v_mV)" << YAML::Key << "note" << YAML::Value
      << "every input segment's voltage (in the order of the training data's segments/* rows), clipped from above at " +
             std::to_string(dendrite_pca->clip_mV) + " mV, reconstructed from " +
             std::to_string(dendrite_pca->components()) + " predicted principal components"
      << YAML::Key << "segments" << YAML::Value << dendrite_pca->mean_mV.numel() << YAML::Key << "components"
      << YAML::Value << dendrite_pca->components() << YAML::Key << "explained_variance_ratio" << YAML::Value
      << dendrite_pca->explained_variance_ratio.sum().item<double>() << YAML::EndMap;
  y << YAML::EndSeq;
  y << YAML::Key << "causal" << YAML::Value << true;
  y << YAML::Key << "architecture" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "depth" << YAML::Value << c.depth << YAML::Key << "width" << YAML::Value << c.width;
  y << YAML::Key << "first_kernel_ms" << YAML::Value << c.first_kernel_ms << YAML::Key << "kernel_ms" << YAML::Value
    << c.kernel_ms;
  y << YAML::Key << "input_layer" << YAML::Value
    << (c.input_projection == 0 ? "one kernel per input channel"
        : c.fixed_projection    ? "input channels pooled into groups (fixed 0/1 projection), then the first convolution"
                                : "learned 1x1 projection of the input channels, then the first convolution");
  y << YAML::Key << "input_projection" << YAML::Value << c.input_projection;
  y << YAML::Key << "first_layer_windows_ms" << YAML::Value << YAML::Flow << c.first_layer_windows_ms;
  y << YAML::Key << "receptive_field_ms" << YAML::Value << c.receptive_field_ms();
  y << YAML::Key << "parameters" << YAML::Value << model->parameter_count();
  y << YAML::Key << "macs_per_ms" << YAML::Value << model->macs_per_ms();
  y << YAML::EndMap;
  y << YAML::Key << "soma_bias_mV" << YAML::Value << soma_bias_mV;
  y << YAML::Key << "operating_threshold" << YAML::Value << threshold;
  y << YAML::Key << "operating_threshold_rule" << YAML::Value
    << (threshold_known ? "spike probability at which the validation split has 0.25% false-positive bins"
                        : "0.5 (no validation data was given to the export)");
  for (const auto& [key, value] : metadata.facts) y << YAML::Key << key << YAML::Value << value;
  for (const auto& [key, json] : metadata.sections) {
    YAML::Node node;
    try {
      node = YAML::Load(json);  // JSON is YAML
    } catch (const YAML::Exception& e) {
      throw InputError(path + ": sidecar section " + key + " is not a JSON object (" + e.what() + ")");
    }
    y << YAML::Key << key << YAML::Value << node;
  }
  y << YAML::EndMap;
  {
    std::ofstream out(yaml_path + ".partial");
    out << y.c_str() << "\n";
    if (!out) throw InputError(yaml_path + ": cannot write");
  }
  fs::rename(tmp, path);
  fs::rename(yaml_path + ".partial", yaml_path);
}

}  // namespace neurotwin
