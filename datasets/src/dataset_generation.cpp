#include "neurotwin/datasets/dataset_generation.hpp"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "neurotwin/datasets/dataset_writer.hpp"
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

SimulationRecord simulate_record(const CellModel& cell, const InputProtocol& protocol, std::int64_t index,
                                 const RunOptions& run, bool keep_soma_8perms) {
  InputDrive drive;
  std::vector<InputEvent> events = protocol.events(static_cast<std::uint64_t>(index), &drive);
  SimulationRecord rec;
  rec.simulation_index = index;
  rec.rate_change_interval_ms = drive.rate_change_interval_ms;
  rec.smoothing_sigma_ms = drive.smoothing_sigma_ms;
  rec.input_times_ms.reserve(events.size());
  rec.input_channels.reserve(events.size());
  for (const InputEvent& e : events) {
    rec.input_times_ms.push_back(static_cast<float>(e.time_ms));
    rec.input_channels.push_back(e.channel);
  }
  RunResult result = run_cell(cell, std::move(events), run);
  rec.soma_v_mV = std::move(result.soma_v_mV);
  if (keep_soma_8perms) rec.soma_v_8perms_mV = std::move(result.soma_v_8perms_mV);
  rec.dendrite_v_mV = std::move(result.dendrite_v_mV);
  rec.output_spike_times_ms = std::move(result.spike_times_ms);
  return rec;
}

void generate_dataset(const std::string& path, const CellModel& cell, const InputProtocol& protocol,
                      const DatasetHeader& header, const RunOptions& run, int threads,
                      const ProgressCallback& progress) {
  if (run.duration_ms != protocol.config().duration_ms)
    throw InputError("simulation duration (" + std::to_string(run.duration_ms) + " ms) differs from the input protocol's (" +
                     std::to_string(protocol.config().duration_ms) + " ms)");
  DatasetWriter writer(path, header);
  const auto total = static_cast<std::size_t>(header.simulation_count);
  const std::size_t workers = static_cast<std::size_t>(std::max(1, threads));
  const std::size_t window = 2 * workers;  // results held at most this far ahead of the writer

  std::mutex mutex;
  std::condition_variable ready, space;
  std::map<std::size_t, SimulationRecord> done;
  std::size_t written = 0;
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  bool stop = false;

  auto worker = [&] {
    for (;;) {
      const std::size_t k = next.fetch_add(1);
      if (k >= total) return;
      {
        std::unique_lock<std::mutex> lock(mutex);
        space.wait(lock, [&] { return stop || k < written + window; });
        if (stop) return;
      }
      try {
        SimulationRecord rec =
            simulate_record(cell, protocol, header.first_simulation + static_cast<std::int64_t>(k), run, header.store_soma_8perms);
        std::lock_guard<std::mutex> lock(mutex);
        done.emplace(k, std::move(rec));
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
}

}  // namespace neurotwin
