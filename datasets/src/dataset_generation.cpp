#include "neurotwin/datasets/dataset_generation.hpp"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "neurotwin/datasets/dataset_writer.hpp"
#include "neurotwin/datasets/float16.hpp"
#include "neurotwin/datasets/random_stream.hpp"
#include "neurotwin/datasets/sha256.hpp"
#include "neurotwin/datasets/simulation_part.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

std::vector<SegmentInfo> segment_table(const CellModel& cell) {
  std::vector<SegmentInfo> table;
  const Discretization& geo = cell.geometry;
  for (int seg : cell.synapse_groups.at(0).segments) {
    const Segment& s = geo.segments.at(static_cast<std::size_t>(seg));
    const SectionGeometry& sec = geo.sections.at(static_cast<std::size_t>(s.section));
    table.push_back({sec.name, tree_name(sec.type), s.x, s.length_um, s.diam_um, s.area_um2, s.distance_um});
  }
  return table;
}

std::vector<int> segment_table_nodes(const CellModel& cell) {
  std::vector<int> nodes;
  for (int seg : cell.synapse_groups.at(0).segments) nodes.push_back(cell.geometry.segments.at(static_cast<std::size_t>(seg)).node);
  return nodes;
}

std::vector<SimulationRecord> simulate_records(const CellModel& cell, const InputProtocol& protocol,
                                               const std::vector<std::int64_t>& indices, const RunOptions& run,
                                               bool keep_soma_8perms) {
  std::vector<SimulationRecord> records(indices.size());
  std::vector<std::vector<InputEvent>> inputs;
  std::vector<std::uint64_t> release_seeds;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::int64_t index = indices[k];
    InputDrive drive;
    std::vector<InputEvent> events = protocol.events(static_cast<std::uint64_t>(index), &drive);
    SimulationRecord& rec = records[k];
    rec.simulation_index = index;
    rec.rate_change_interval_ms = drive.rate_change_interval_ms;
    rec.smoothing_sigma_ms = drive.smoothing_sigma_ms;
    rec.input_times_ms.reserve(events.size());
    rec.input_channels.reserve(events.size());
    for (const InputEvent& e : events) {
      rec.input_times_ms.push_back(static_cast<float>(e.time_ms));
      rec.input_channels.push_back(e.channel);
    }
    inputs.push_back(std::move(events));
    // Release draws (if the cell's release probability is below 1) depend on (seed, index) only.
    RandomStream release(protocol.seed(), static_cast<std::uint64_t>(index), 0x72656c65617365ULL);  // "release"
    release_seeds.push_back(release.next_u64());
  }
  std::vector<RunResult> results = run_cells(cell, std::move(inputs), run, release_seeds);
  for (std::size_t k = 0; k < indices.size(); ++k) {
    SimulationRecord& rec = records[k];
    RunResult& result = results[k];
    rec.soma_v_mV = std::move(result.soma_v_mV);
    if (keep_soma_8perms) rec.soma_v_8perms_mV = std::move(result.soma_v_8perms_mV);
    rec.dendrite_v_mV = std::move(result.dendrite_v_mV);
    rec.segment_v_f16.resize(result.segment_v_mV.size());
    for (std::size_t i = 0; i < result.segment_v_mV.size(); ++i) rec.segment_v_f16[i] = float_to_half(result.segment_v_mV[i]);
    rec.output_spike_times_ms = std::move(result.spike_times_ms);
  }
  return records;
}

SimulationRecord simulate_record(const CellModel& cell, const InputProtocol& protocol, std::int64_t index,
                                 const RunOptions& run, bool keep_soma_8perms) {
  return std::move(simulate_records(cell, protocol, {index}, run, keep_soma_8perms).front());
}

namespace {

namespace fs = std::filesystem;

// Identifies what a part file was made with: everything that goes into a record or the file, except the
// creation time and the configuration text.
std::string generation_fingerprint(const DatasetHeader& h, const RunOptions& run) {
  std::ostringstream o;
  o.precision(17);
  o << "split " << h.split << "\nseed " << h.seed << "\nfirst " << h.first_simulation << "\ncount "
    << h.simulation_count << "\nduration " << h.duration_ms << "\n8perms " << h.store_soma_8perms << "\ndendrite "
    << h.dendrite_location << "\nsegment_voltages " << h.store_segment_voltages << "\ndt " << run.dt_ms << "\ncrank_nicolson "
    << (run.scheme == VoltageScheme::crank_nicolson)
    << "\nrun_duration " << run.duration_ms << "\ndendrite_node " << run.dendrite_node << "\nsegment_nodes";
  for (int n : run.segment_nodes) o << ' ' << n;
  o << "\n";
  for (const SegmentInfo& s : h.segments)
    o << "segment " << s.section << ' ' << s.x << ' ' << s.length_um << ' ' << s.diameter_um << ' ' << s.area_um2 << ' '
      << s.distance_um << "\n";
  for (const Attribute& a : h.attributes) {
    // The configuration text also holds training and sweep keys, which do not change a simulation; every key
    // that does is an attribute of its own (cell.*, simulation.*, protocol.*).
    if (a.name == "config_yaml") continue;
    o << "attribute " << a.name << " = ";
    std::visit([&](const auto& v) { o << v; }, a.value);
    o << "\n";
  }
  return sha256_hex(o.str());
}

std::string read_small_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Prepares "<path>.parts" for this generation; returns its path.
fs::path prepare_parts_dir(const std::string& path, const std::string& fingerprint) {
  const fs::path dir = path + ".parts";
  const fs::path stamp = dir / "FINGERPRINT";
  std::error_code ec;
  if (fs::exists(dir) && (!fs::exists(stamp) || read_small_file(stamp) != fingerprint)) fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) throw InputError(dir.string() + ": cannot create: " + ec.message());
  if (!fs::exists(stamp)) {
    const fs::path tmp = dir / "FINGERPRINT.tmp";
    {
      std::ofstream out(tmp);
      out << fingerprint;
      if (!out) throw InputError(tmp.string() + ": cannot write");
    }
    fs::rename(tmp, stamp);
  }
  return dir;
}

fs::path part_path(const fs::path& dir, std::int64_t index) {
  char name[48];
  std::snprintf(name, sizeof name, "sim-%09lld.part", static_cast<long long>(index));
  return dir / name;
}

}  // namespace

GenerationReport generate_dataset(const std::string& path, const CellModel& cell, const InputProtocol& protocol,
                                  const DatasetHeader& header, const RunOptions& run, int threads,
                                  const ProgressCallback& progress, std::size_t lockstep_lanes) {
  if (run.duration_ms != protocol.config().duration_ms)
    throw InputError("simulation duration (" + std::to_string(run.duration_ms) + " ms) differs from the input protocol's (" +
                     std::to_string(protocol.config().duration_ms) + " ms)");
  if (header.store_segment_voltages != !run.segment_nodes.empty() ||
      (header.store_segment_voltages && run.segment_nodes.size() != header.segments.size()))
    throw InputError(path + ": stored segment voltages need one recorded node per segment of the table");
  const fs::path parts = prepare_parts_dir(path, generation_fingerprint(header, run));
  GenerationReport report;
  DatasetWriter writer(path, header);
  const auto total = static_cast<std::size_t>(header.simulation_count);
  const std::size_t workers = static_cast<std::size_t>(std::max(1, threads));
  // At most `lockstep_lanes` per batch, and no more than lets every worker run the same number of
  // batches (100 simulations on 2 workers at 32: 4 batches of 25, not 3 of 32 and one of 4).
  const std::size_t most_lanes = std::max<std::size_t>(1, lockstep_lanes);
  const std::size_t rounds = std::max<std::size_t>(1, (total + workers * most_lanes - 1) / (workers * most_lanes));
  const std::size_t lanes = std::max<std::size_t>(1, (total + workers * rounds - 1) / (workers * rounds));
  const std::size_t window = 2 * workers * lanes;  // results held at most this far ahead of the writer

  std::mutex mutex;
  std::condition_variable ready, space;
  std::map<std::size_t, SimulationRecord> done;
  std::size_t written = 0;
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  bool stop = false;

  // Each worker takes `lanes` consecutive simulations and runs those not
  // saved by an earlier run in lockstep (bit for bit the one-lane results).
  auto worker = [&] {
    for (;;) {
      const std::size_t first = next.fetch_add(lanes);
      if (first >= total) return;
      const std::size_t end = std::min(total, first + lanes);
      {
        std::unique_lock<std::mutex> lock(mutex);
        space.wait(lock, [&] { return stop || end - 1 < written + window; });
        if (stop) return;
      }
      try {
        std::map<std::size_t, SimulationRecord> batch;
        std::vector<std::size_t> missing;
        std::vector<std::int64_t> missing_indices;
        for (std::size_t k = first; k < end; ++k) {
          const std::int64_t index = header.first_simulation + static_cast<std::int64_t>(k);
          std::optional<SimulationRecord> saved = load_simulation_part(part_path(parts, index).string());
          if (saved && saved->simulation_index == index) {
            batch.emplace(k, std::move(*saved));
          } else {
            missing.push_back(k);
            missing_indices.push_back(index);
          }
        }
        const std::size_t resumed = batch.size();
        if (!missing.empty()) {
          std::vector<SimulationRecord> fresh = simulate_records(cell, protocol, missing_indices, run, header.store_soma_8perms);
          for (std::size_t m = 0; m < missing.size(); ++m) {
            save_simulation_part(part_path(parts, missing_indices[m]).string(), fresh[m]);
            batch.emplace(missing[m], std::move(fresh[m]));
          }
        }
        std::lock_guard<std::mutex> lock(mutex);
        report.resumed += resumed;
        report.simulated += missing.size();
        for (auto& [k, rec] : batch) done.emplace(k, std::move(rec));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
        stop = true;
      }
      ready.notify_all();
      space.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t i = 0; i < workers; ++i) pool.emplace_back(worker);
  try {
    while (written < total) {
      SimulationRecord rec;
      {
        std::unique_lock<std::mutex> lock(mutex);
        ready.wait(lock, [&] { return stop || done.count(written) > 0; });
        if (stop) break;
        rec = std::move(done.at(written));
        done.erase(written);
      }
      writer.write(rec);
      {
        std::lock_guard<std::mutex> lock(mutex);
        ++written;
      }
      space.notify_all();
      if (progress) progress(written, total);
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!failure) failure = std::current_exception();
    stop = true;
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (failure) stop = true;
  }
  space.notify_all();
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  writer.finish();
  std::error_code ec;
  fs::remove_all(parts, ec);  // the complete file now holds everything
  return report;
}

}  // namespace neurotwin
