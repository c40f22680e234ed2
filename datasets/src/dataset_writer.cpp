#include "neurotwin/datasets/dataset_writer.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "hdf5_util.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "neurotwin/version.hpp"

namespace neurotwin {

struct DatasetWriter::Impl {
  std::string path, partial_path;
  DatasetHeader header;
  H5::H5File file;
  H5::DataSet input_times, input_channels, spike_times, soma, soma8, dendrite, segment_v;
  std::vector<std::int64_t> input_pointer{0}, spike_pointer{0}, indices;
  std::vector<double> intervals, sigmas;
  std::size_t written = 0;
  bool finished = false;
  std::size_t samples = 0;

  // Rows are simulations; the row dimension is extendible only so that an
  // empty shard (no simulations) is a valid file.
  H5::DataSet create_matrix(const std::string& name, hsize_t columns) {
    const hsize_t d[2] = {static_cast<hsize_t>(header.simulation_count), columns};
    const hsize_t maximum[2] = {H5S_UNLIMITED, columns};
    const hsize_t chunk[2] = {1, columns};
    H5::DataSpace space(2, d, maximum);
    H5::DSetCreatPropList props;
    props.setChunk(2, chunk);
    props.setShuffle();
    props.setDeflate(4);
    return file.createDataSet(name, H5::PredType::NATIVE_FLOAT, space, props);
  }

  // dendritic_v_mV [N, S, T] float16; a chunk is one simulation's S segments
  // over a block of up to ~512 KiB, so one simulation reads a few chunks.
  H5::DataSet create_segment_voltages(hsize_t segment_count) {
    const hsize_t n = static_cast<hsize_t>(header.simulation_count);
    const hsize_t d[3] = {n, segment_count, samples}, maximum[3] = {H5S_UNLIMITED, segment_count, samples};
    const hsize_t block = std::max<hsize_t>(1, std::min<hsize_t>(samples, (hsize_t{1} << 18) / std::max<hsize_t>(1, segment_count)));
    const hsize_t chunk[3] = {1, std::max<hsize_t>(1, segment_count), block};
    H5::DataSpace space(3, d, maximum);
    H5::DSetCreatPropList props;
    props.setChunk(3, chunk);
    props.setShuffle();
    props.setDeflate(4);
    return file.createDataSet("dendritic_v_mV", h5::float16_type(), space, props);
  }

  void write_row(H5::DataSet& ds, const std::vector<float>& row, std::size_t expected, const char* what) {
    if (row.size() != expected)
      throw InputError(path + ": simulation " + std::to_string(written) + " has " + std::to_string(row.size()) + " " +
                       what + " samples, expected " + std::to_string(expected));
    H5::DataSpace file_space = ds.getSpace();
    const hsize_t start[2] = {written, 0}, count[2] = {1, expected};
    file_space.selectHyperslab(H5S_SELECT_SET, count, start);
    const hsize_t mem_dims[1] = {expected};
    H5::DataSpace mem_space(1, mem_dims);
    ds.write(row.data(), H5::PredType::NATIVE_FLOAT, mem_space, file_space);
  }
};

namespace {

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

DatasetWriter::DatasetWriter(const std::string& path, const DatasetHeader& header) : impl_(std::make_unique<Impl>()) {
  H5::Exception::dontPrint();
  Impl& w = *impl_;
  w.path = path;
  w.partial_path = path + ".partial";
  w.header = header;
  if (header.simulation_count < 0) throw InputError(path + ": negative simulation count");
  if (header.split_simulation_count < 0 || header.split_first_simulation < 0) {
    w.header.split_first_simulation = header.first_simulation;
    w.header.split_simulation_count = header.simulation_count;
  }
  if (w.header.first_simulation < w.header.split_first_simulation ||
      w.header.first_simulation + w.header.simulation_count > w.header.split_first_simulation + w.header.split_simulation_count)
    throw InputError(path + ": simulations lie outside their split");
  w.samples = static_cast<std::size_t>(header.duration_ms);
  try {
    w.file = H5::H5File(w.partial_path, H5F_ACC_TRUNC);
    H5::Group root = w.file.openGroup("/");
    h5::write_attribute(root, "schema_version", std::int64_t{kDatasetSchemaVersion});
    h5::write_attribute(root, "complete", std::int64_t{0});
    h5::write_attribute(root, "software", std::string("neurotwin"));
    h5::write_attribute(root, "software_version", std::string(kVersion));
    h5::write_attribute(root, "software_build", std::string(kBuild));
    h5::write_attribute(root, "created_utc", utc_now());
    h5::write_attribute(root, "split", header.split);
    h5::write_attribute(root, "seed", static_cast<std::int64_t>(header.seed));
    h5::write_attribute(root, "first_simulation", header.first_simulation);
    h5::write_attribute(root, "simulation_count", header.simulation_count);
    h5::write_attribute(root, "split_first_simulation", w.header.split_first_simulation);
    h5::write_attribute(root, "split_simulation_count", w.header.split_simulation_count);
    if (header.shard_count > 1) {
      h5::write_attribute(root, "shard_index", std::int64_t{header.shard_index});
      h5::write_attribute(root, "shard_count", std::int64_t{header.shard_count});
    }
    h5::write_attribute(root, "duration_ms", header.duration_ms);
    for (const Attribute& a : header.attributes) h5::write_attribute(root, a.name, a.value);

    H5::Group segments = w.file.createGroup("segments");
    std::vector<std::string> section, tree;
    std::vector<double> x, length, diameter, area, distance;
    for (const SegmentInfo& s : header.segments) {
      section.push_back(s.section);
      tree.push_back(s.tree);
      x.push_back(s.x);
      length.push_back(s.length_um);
      diameter.push_back(s.diameter_um);
      area.push_back(s.area_um2);
      distance.push_back(s.distance_um);
    }
    h5::write_strings(segments, "section", section);
    h5::write_strings(segments, "tree", tree);
    h5::write_vector(segments, "x", x);
    h5::write_vector(segments, "length_um", length);
    h5::write_vector(segments, "diameter_um", diameter);
    h5::write_vector(segments, "area_um2", area);
    h5::write_vector(segments, "distance_um", distance);

    H5::Group inputs = w.file.createGroup("inputs");
    h5::write_attribute(inputs, "n_excitatory", static_cast<std::int64_t>(header.segments.size()));
    h5::write_attribute(inputs, "n_inhibitory", static_cast<std::int64_t>(header.segments.size()));
    w.input_times = h5::create_extendible(inputs, "timestamps", H5::PredType::NATIVE_FLOAT, 1 << 16);
    w.input_channels = h5::create_extendible(inputs, "node_ids", H5::PredType::NATIVE_INT32, 1 << 16);
    H5::Group spikes = w.file.createGroup("output_spikes");
    w.spike_times = h5::create_extendible(spikes, "timestamps", H5::PredType::NATIVE_DOUBLE, 4096);
    w.soma = w.create_matrix("soma_v_mV", w.samples);
    if (header.store_soma_8perms) w.soma8 = w.create_matrix("soma_v_8perms_mV", 8 * w.samples);
    if (!header.dendrite_location.empty()) {
      w.dendrite = w.create_matrix("dendrite_v_mV", w.samples);
      h5::write_attribute(w.dendrite, "location", header.dendrite_location);
    }
    if (header.store_segment_voltages) {
      w.segment_v = w.create_segment_voltages(header.segments.size());
      h5::write_attribute(w.segment_v, "description",
                          std::string("voltage of every input segment (rows of segments/*), 1 sample/ms, float16"));
    }
  } catch (const H5::Exception& e) {
    throw InputError(w.partial_path + ": cannot create HDF5 file: " + e.getDetailMsg());
  }
}

DatasetWriter::~DatasetWriter() {
  if (impl_ && !impl_->finished) {
    try {
      impl_->file.close();  // leaves <path>.partial, never taken for complete
    } catch (...) {
    }
  }
}

void DatasetWriter::write(const SimulationRecord& r) {
  Impl& w = *impl_;
  if (w.finished) throw InputError(w.path + ": write after finish");
  if (static_cast<std::int64_t>(w.written) >= w.header.simulation_count)
    throw InputError(w.path + ": more simulations than the header declares");
  if (r.simulation_index != w.header.first_simulation + static_cast<std::int64_t>(w.written))
    throw InputError(w.path + ": simulation " + std::to_string(r.simulation_index) + " written out of order");
  if (r.input_times_ms.size() != r.input_channels.size())
    throw InputError(w.path + ": input times and channels differ in length");
  try {
    h5::append(w.input_times, r.input_times_ms);
    h5::append(w.input_channels, r.input_channels);
    h5::append(w.spike_times, r.output_spike_times_ms);
    w.write_row(w.soma, r.soma_v_mV, w.samples, "soma");
    if (w.header.store_soma_8perms) w.write_row(w.soma8, r.soma_v_8perms_mV, 8 * w.samples, "8/ms soma");
    if (!w.header.dendrite_location.empty()) w.write_row(w.dendrite, r.dendrite_v_mV, w.samples, "dendrite");
    if (w.header.store_segment_voltages) {
      const hsize_t segments = w.header.segments.size();
      if (r.segment_v_f16.size() != segments * w.samples)
        throw InputError(w.path + ": simulation " + std::to_string(r.simulation_index) + " has " +
                         std::to_string(r.segment_v_f16.size()) + " segment voltage samples, expected " +
                         std::to_string(segments * w.samples));
      H5::DataSpace file_space = w.segment_v.getSpace();
      const hsize_t start[3] = {w.written, 0, 0}, count[3] = {1, segments, w.samples};
      file_space.selectHyperslab(H5S_SELECT_SET, count, start);
      H5::DataSpace mem_space(3, count);
      w.segment_v.write(r.segment_v_f16.data(), h5::float16_type(), mem_space, file_space);
    }
  } catch (const H5::Exception& e) {
    throw InputError(w.partial_path + ": HDF5 write failed: " + e.getDetailMsg());
  }
  w.input_pointer.push_back(w.input_pointer.back() + static_cast<std::int64_t>(r.input_times_ms.size()));
  w.spike_pointer.push_back(w.spike_pointer.back() + static_cast<std::int64_t>(r.output_spike_times_ms.size()));
  w.indices.push_back(r.simulation_index);
  w.intervals.push_back(r.rate_change_interval_ms);
  w.sigmas.push_back(r.smoothing_sigma_ms);
  ++w.written;
}

void DatasetWriter::finish() {
  Impl& w = *impl_;
  if (static_cast<std::int64_t>(w.written) != w.header.simulation_count)
    throw InputError(w.path + ": " + std::to_string(w.written) + " of " +
                     std::to_string(w.header.simulation_count) + " simulations written");
  try {
    H5::Group inputs = w.file.openGroup("inputs");
    h5::write_vector(inputs, "index_pointer", w.input_pointer);
    H5::Group spikes = w.file.openGroup("output_spikes");
    h5::write_vector(spikes, "index_pointer", w.spike_pointer);
    H5::Group sims = w.file.createGroup("simulations");
    h5::write_vector(sims, "index", w.indices);
    h5::write_vector(sims, "rate_change_interval_ms", w.intervals);
    h5::write_vector(sims, "smoothing_sigma_ms", w.sigmas);
    w.file.flush(H5F_SCOPE_GLOBAL);
    H5::Group root = w.file.openGroup("/");
    h5::write_attribute(root, "complete", std::int64_t{1});  // last
    w.file.close();
  } catch (const H5::Exception& e) {
    throw InputError(w.partial_path + ": HDF5 finish failed: " + e.getDetailMsg());
  }
  std::error_code ec;
  std::filesystem::rename(w.partial_path, w.path, ec);
  if (ec) throw InputError(w.path + ": cannot rename completed file: " + ec.message());
  w.finished = true;
}

}  // namespace neurotwin
