#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>

#include "commands.hpp"
#include "neurotwin/datasets/dataset_inspection.hpp"
#include "neurotwin/datasets/dataset_merge.hpp"
#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin::cli {

int run_dataset_info(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    const DatasetReader reader(file);
    const DatasetHeader& h = reader.header();
    const DatasetStats s = dataset_stats(reader);
    std::string cell = "?";
    try {
      cell = std::get<std::string>(reader.attribute("cell.name"));
    } catch (const std::exception&) {
    }
    std::printf("%s\n", file.c_str());
    std::printf("  split %s, seed %llu, simulations %lld..%lld, cell %s, %zu synapse segments (%zu inputs)\n",
                h.split.c_str(), static_cast<unsigned long long>(h.seed), static_cast<long long>(h.first_simulation),
                static_cast<long long>(h.first_simulation + h.simulation_count - 1), cell.c_str(), h.segments.size(),
                reader.input_count());
    std::printf("  simulations: %zu x %.0f ms = %.1f simulated s\n", s.simulations, h.duration_ms, s.simulated_seconds);
    std::printf("  output: %zu spikes, %.3f Hz, ISI CV %.3f (%zu intervals), %zu simulations without spikes\n",
                s.output_spikes, s.output_rate_hz, s.isi_cv, s.isi_count, s.simulations_without_spikes);
    std::printf("  inputs per synapse: basal exc %.2f Hz, inh %.2f Hz; apical exc %.2f Hz, inh %.2f Hz\n",
                s.basal_excitatory_hz, s.basal_inhibitory_hz, s.apical_excitatory_hz, s.apical_inhibitory_hz);
    std::printf("  inputs per tree per 100 ms: basal exc %.1f, inh %.1f; apical exc %.1f, inh %.1f\n",
                s.basal_excitatory_per_100ms, s.basal_inhibitory_per_100ms, s.apical_excitatory_per_100ms,
                s.apical_inhibitory_per_100ms);
    std::printf("  file: %.2f MB, %.0f bytes per simulated s\n", static_cast<double>(s.file_bytes) / 1e6,
                s.bytes_per_simulated_second);
  }
  return 0;
}

int run_dataset_verify(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    const DatasetReader reader(file);
    verify_dataset(reader);
    std::printf("%s: OK (%zu simulations, schema version %d, complete)\n", file.c_str(), reader.simulation_count(),
                kDatasetSchemaVersion);
  }
  return 0;
}

int run_dataset_merge(const std::vector<std::string>& inputs, const std::string& output_dir_in, bool remove_shards) {
  namespace fs = std::filesystem;
  static const std::regex shard_name(R"(.+-shard-\d+-of-\d+\.h5)");
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    if (fs::is_directory(in)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(in))
        if (entry.is_regular_file() && std::regex_match(entry.path().filename().string(), shard_name))
          found.push_back(entry.path().string());
      if (found.empty()) throw InputError(in + ": no shard files (<split>-shard-<i>-of-<N>.h5) in this directory");
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(in);
    }
  }
  const fs::path first_dir = fs::is_directory(inputs.front()) ? fs::path(inputs.front()) : fs::path(inputs.front()).parent_path();
  const fs::path output_dir = output_dir_in.empty() ? first_dir : fs::path(output_dir_in);
  std::map<std::string, std::vector<std::string>> by_split;
  for (const std::string& f : files) by_split[DatasetReader(f).header().split].push_back(f);
  for (const auto& [split, shards] : by_split) {
    const fs::path out = output_dir / (split + ".h5");
    if (fs::exists(out)) throw InputError(out.string() + ": exists; remove it first (merge never overwrites)");
  }
  for (const auto& [split, shards] : by_split) {
    const std::string out = (output_dir / (split + ".h5")).string();
    fs::create_directories(output_dir);
    merge_datasets(shards, out);
    verify_dataset(DatasetReader(out));
    std::printf("%s: merged %zu shard(s), %zu simulations, verified\n", out.c_str(), shards.size(),
                DatasetReader(out).simulation_count());
    if (remove_shards)
      for (const std::string& s : shards) fs::remove(s);
  }
  return 0;
}

}  // namespace neurotwin::cli
