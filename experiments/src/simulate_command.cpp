// `neurotwin simulate`: the train/valid/test dataset files, on threads, MPI
// ranks or Slurm array shards, resumable.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "commands.hpp"
#include "mpi_world.hpp"
#include "neurotwin/datasets/dataset_generation.hpp"
#include "neurotwin/datasets/dataset_inspection.hpp"
#include "neurotwin/datasets/dataset_merge.hpp"
#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin::cli {

namespace fs = std::filesystem;

ShardSpec parse_shard(const std::string& text) {
  static const std::regex form(R"(\s*(\d+)\s*/\s*(\d+)\s*)");
  std::smatch m;
  ShardSpec s;
  if (!std::regex_match(text, m, form)) throw InputError("--shard '" + text + "': expected i/N, e.g. 0/8");
  try {
    s.index = std::stoi(m[1]);
    s.count = std::stoi(m[2]);
  } catch (const std::exception&) {
    throw InputError("--shard '" + text + "': numbers out of range");
  }
  if (s.count < 1 || s.index >= s.count)
    throw InputError("--shard '" + text + "': need 0 <= i < N (shards are numbered from 0, as Slurm array tasks)");
  return s;
}

std::string shard_path(const ExperimentConfig& config, const std::string& split, const ShardSpec& shard) {
  return (fs::path(config.resolved_data_dir()) /
          (split + "-shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) + ".h5"))
      .string();
}

namespace {

struct SplitPlan {
  std::string name;
  std::int64_t first = 0, count = 0;              // the whole split
  std::int64_t shard_first = 0, shard_count = 0;  // this process's block
};

// A complete file with the expected simulations is kept; anything else
// there is an error unless --overwrite.
bool already_complete(const std::string& path, std::int64_t count, bool overwrite) {
  if (!fs::exists(path)) return false;
  if (overwrite) return false;
  try {
    DatasetReader existing(path);
    if (static_cast<std::int64_t>(existing.simulation_count()) == count) return true;
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + "; remove it or use --overwrite to regenerate");
  }
  throw InputError(path + ": exists with a different number of simulations; use --overwrite to regenerate");
}

void generate_split(const Context& ctx, const CellModel& cell, const InputProtocol& protocol, const DatasetHeader& header,
                    const RunOptions& run, const std::string& path, const std::string& label) {
  fs::create_directories(fs::path(path).parent_path());
  fs::remove(path + ".partial");
  Progress progress(label, static_cast<std::size_t>(header.simulation_count), "sims");
  const auto start = std::chrono::steady_clock::now();
  const GenerationReport report =
      generate_dataset(path, cell, protocol, header, run, ctx.threads, [&](std::size_t done, std::size_t total) {
        progress.update(done, std::to_string(total - done) + " left");
      }, static_cast<std::size_t>(ctx.lanes));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const DatasetStats stats = dataset_stats(DatasetReader(path));
  const double simulated_now = stats.simulated_seconds * static_cast<double>(report.simulated) /
                               static_cast<double>(std::max<std::int64_t>(1, header.simulation_count));
  char detail[320];
  std::snprintf(detail, sizeof detail,
                "%s: %.0f simulated s (%zu resumed from an interrupted run), %.2f simulated s per wall s, output rate %.2f Hz, "
                "%.0f bytes per simulated s",
                path.c_str(), stats.simulated_seconds, report.resumed, simulated_now / wall, stats.output_rate_hz,
                stats.bytes_per_simulated_second);
  progress.finish(detail);
}

}  // namespace

int run_simulate(Context& ctx, const MpiWorld& world, const std::string& shard_text) {
  const ExperimentConfig& c = ctx.config;
  ShardSpec shard;
  if (world.active()) {
    if (!shard_text.empty()) throw InputError("--shard cannot be combined with mpirun (each rank is a shard)");
    shard = {world.rank(), world.size()};
  } else if (!shard_text.empty()) {
    shard = parse_shard(shard_text);
  }
  const bool sharded = shard.count > 1;
  const std::string who =
      world.active() ? " [rank " + std::to_string(world.rank()) + "/" + std::to_string(world.size()) + "]"
      : sharded      ? " [shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + "]"
                     : "";

  const BuiltCell built = build_cell(c);
  const CellModel& cell = built.cell;
  const std::string& morphology_sha = built.morphology_sha256;
  const InputProtocol protocol(c.protocol, cell, static_cast<std::uint64_t>(c.seed));
  RunOptions run;
  run.dt_ms = c.simulation.dt_ms;
  run.scheme = voltage_scheme(c.simulation);
  run.duration_ms = c.simulation.duration_ms;
  run.dendrite_node = dendrite_node(cell, built.record_dendrite);
  if (c.simulation.store_dendritic_voltages) run.segment_nodes = segment_table_nodes(cell);
  log_line("cell '" + cell.name + "': " + std::to_string(cell.geometry.segments.size()) + " segments, " +
           std::to_string(cell.input_count()) + " input channels; " + std::to_string(ctx.threads) + " threads" + who);

  // Shard i takes the global simulations [floor(i T / N), floor((i + 1) T / N))
  // of all splits together (T = their total), so that processes get equal
  // work; its part of each split is a contiguous block (possibly empty).
  std::vector<SplitPlan> plans;
  const std::int64_t total = std::int64_t{c.dataset.train_simulations} + c.dataset.valid_simulations + c.dataset.test_simulations;
  const std::int64_t lo = total * shard.index / shard.count, hi = total * (shard.index + 1) / shard.count;
  std::int64_t first = 0;
  for (const auto& [name, count] : {std::pair<const char*, int>{"train", c.dataset.train_simulations},
                                    {"valid", c.dataset.valid_simulations},
                                    {"test", c.dataset.test_simulations}}) {
    SplitPlan p{name, first, count, 0, 0};
    p.shard_first = std::clamp(lo, first, first + count);
    p.shard_count = std::clamp(hi, first, first + count) - p.shard_first;
    plans.push_back(p);
    first += count;
  }

  // Each process writes its files; an error on one MPI rank is reported by
  // that rank, and every rank stops after the collective check below.
  std::string error;
  std::vector<SplitPlan> to_merge;
  try {
    for (const SplitPlan& p : plans) {
      const std::string final_path = split_path(c, p.name);
      if (already_complete(final_path, p.count, ctx.overwrite)) {
        log_line(final_path + ": complete, kept (use --overwrite to regenerate)" + who);
        continue;
      }
      const std::string path = sharded ? shard_path(c, p.name, shard) : final_path;
      if (!sharded || !already_complete(path, p.shard_count, ctx.overwrite)) {
        DatasetHeader header;
        header.split = p.name;
        header.seed = static_cast<std::uint64_t>(c.seed);
        header.first_simulation = p.shard_first;
        header.simulation_count = p.shard_count;
        header.split_first_simulation = p.first;
        header.split_simulation_count = p.count;
        header.shard_index = shard.index;
        header.shard_count = shard.count;
        header.duration_ms = c.simulation.duration_ms;
        header.store_soma_8perms = c.simulation.store_soma_8perms;
        header.store_segment_voltages = c.simulation.store_dendritic_voltages;
        header.dendrite_location = built.record_dendrite;
        header.segments = segment_table(cell);
        header.attributes = dataset_attributes(c);
        header.attributes.push_back({"cell.name", cell.name});
        header.attributes.push_back({"cell.morphology_sha256", morphology_sha});
        header.attributes.push_back({"config_yaml", resolved_yaml(c)});
        generate_split(ctx, cell, protocol, header, run, path, std::string("simulate ") + p.name + who);
      } else {
        log_line(path + ": complete, kept" + who);
      }
      if (sharded) to_merge.push_back(p);
    }
  } catch (const InputError& e) {
    if (!world.active()) throw;
    error = e.what();
  }
  if (world.active()) {
    if (world.any(!error.empty())) {
      if (!error.empty()) throw InputError(error);
      throw InputError("another MPI rank failed (see its message); rerun the same command to resume");
    }
    if (world.rank() != 0) return 0;
    for (const SplitPlan& p : to_merge) {
      std::vector<std::string> shards;
      for (int i = 0; i < shard.count; ++i) shards.push_back(shard_path(c, p.name, {i, shard.count}));
      const std::string out = split_path(c, p.name);
      Progress progress("merge " + p.name, static_cast<std::size_t>(p.count), "sims");
      merge_datasets(shards, out, [&](std::size_t done, std::size_t) { progress.update(done); });
      for (const std::string& s : shards) fs::remove(s);
      progress.finish(out + ": merged from " + std::to_string(shard.count) + " rank shards");
    }
  } else if (sharded) {
    log_line("shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + " done; once all " +
             std::to_string(shard.count) + " are, combine them with: neurotwin dataset merge " + c.resolved_data_dir());
  }
  return 0;
}

}  // namespace neurotwin::cli
