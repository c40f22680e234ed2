#include "neurotwin/datasets/dataset_reader.hpp"

#include <filesystem>

#include "hdf5_util.hpp"
#include "neurotwin/datasets/float16.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

struct DatasetReader::Impl {
  std::string path;
  H5::H5File file;
  DatasetHeader header;
  std::vector<std::int64_t> input_pointer, spike_pointer;
  H5::DataSet input_times, input_channels, spike_times, soma, soma8, dendrite, segment_v;
  H5::DataSet intervals, sigmas;  // simulations/rate_change_interval_ms, smoothing_sigma_ms
  std::size_t inputs = 0, samples = 0;

  [[noreturn]] void fail(const std::string& message) const { throw InputError(path + ": " + message); }
};

namespace {

template <typename T>
T attribute_as(const AttributeValue& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
  } else {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<T>(*i);
    if (const auto* d = std::get_if<double>(&v)) return static_cast<T>(*d);
  }
  throw std::runtime_error("wrong attribute type");
}

}  // namespace

DatasetReader::DatasetReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  H5::Exception::dontPrint();
  Impl& r = *impl_;
  r.path = path;
  if (!std::filesystem::exists(path)) {
    if (std::filesystem::exists(path + ".partial"))
      r.fail("does not exist; only an incomplete " + path + ".partial (interrupted generation) is there");
    r.fail("no such dataset file");
  }
  try {
    if (!H5::H5File::isHdf5(path)) r.fail("not an HDF5 file");
    r.file = H5::H5File(path, H5F_ACC_RDONLY);
  } catch (const InputError&) {
    throw;
  } catch (const H5::Exception& e) {
    r.fail("cannot open as HDF5 (truncated or corrupt?): " + e.getDetailMsg());
  }
  std::string stage = "attributes";
  try {
    H5::Group root = r.file.openGroup("/");
    if (!root.attrExists("schema_version")) r.fail("not a neurotwin dataset (no schema_version attribute)");
    const auto version = attribute_as<std::int64_t>(h5::read_attribute(root.openAttribute("schema_version")));
    if (version != kDatasetSchemaVersion)
      r.fail("schema version " + std::to_string(version) + " is not supported (this build reads version " +
             std::to_string(kDatasetSchemaVersion) + ")");
    if (!root.attrExists("complete") ||
        attribute_as<std::int64_t>(h5::read_attribute(root.openAttribute("complete"))) != 1)
      r.fail("incomplete dataset (the `complete` flag is not set: generation did not finish)");
    for (int i = 0; i < root.getNumAttrs(); ++i) {
      H5::Attribute a = root.openAttribute(static_cast<unsigned>(i));
      r.header.attributes.push_back({a.getName(), h5::read_attribute(a)});
    }
    auto attr = [&](const std::string& name) {
      if (!root.attrExists(name)) r.fail("missing attribute '" + name + "'");
      return h5::read_attribute(root.openAttribute(name));
    };
    r.header.split = attribute_as<std::string>(attr("split"));
    r.header.seed = static_cast<std::uint64_t>(attribute_as<std::int64_t>(attr("seed")));
    r.header.first_simulation = attribute_as<std::int64_t>(attr("first_simulation"));
    r.header.simulation_count = attribute_as<std::int64_t>(attr("simulation_count"));
    r.header.duration_ms = attribute_as<double>(attr("duration_ms"));
    auto optional_int = [&](const std::string& name, std::int64_t fallback) {
      return root.attrExists(name) ? attribute_as<std::int64_t>(h5::read_attribute(root.openAttribute(name))) : fallback;
    };
    r.header.split_first_simulation = optional_int("split_first_simulation", r.header.first_simulation);
    r.header.split_simulation_count = optional_int("split_simulation_count", r.header.simulation_count);
    r.header.shard_index = static_cast<int>(optional_int("shard_index", 0));
    r.header.shard_count = static_cast<int>(optional_int("shard_count", 1));

    stage = "segments";
    H5::Group seg = r.file.openGroup("segments");
    const auto section = h5::read_strings(seg.openDataSet("section"));
    const auto tree = h5::read_strings(seg.openDataSet("tree"));
    const auto x = h5::read_all<double>(seg.openDataSet("x"));
    const auto length = h5::read_all<double>(seg.openDataSet("length_um"));
    const auto diameter = h5::read_all<double>(seg.openDataSet("diameter_um"));
    const auto area = h5::read_all<double>(seg.openDataSet("area_um2"));
    const auto distance = h5::read_all<double>(seg.openDataSet("distance_um"));
    for (std::size_t i = 0; i < section.size(); ++i)
      r.header.segments.push_back({section[i], tree.at(i), x.at(i), length.at(i), diameter.at(i), area.at(i), distance.at(i)});
    r.inputs = 2 * section.size();

    stage = "inputs";
    r.input_times = r.file.openDataSet("inputs/timestamps");
    r.input_channels = r.file.openDataSet("inputs/node_ids");
    r.input_pointer = h5::read_all<std::int64_t>(r.file.openDataSet("inputs/index_pointer"));
    stage = "output_spikes";
    r.spike_times = r.file.openDataSet("output_spikes/timestamps");
    r.spike_pointer = h5::read_all<std::int64_t>(r.file.openDataSet("output_spikes/index_pointer"));
    stage = "simulations";
    r.intervals = r.file.openDataSet("simulations/rate_change_interval_ms");
    r.sigmas = r.file.openDataSet("simulations/smoothing_sigma_ms");
    const auto index = h5::read_all<std::int64_t>(r.file.openDataSet("simulations/index"));
    if (static_cast<std::int64_t>(index.size()) != r.header.simulation_count)
      r.fail("simulations/index has " + std::to_string(index.size()) + " entries, expected " +
             std::to_string(r.header.simulation_count));
    for (std::size_t k = 0; k < index.size(); ++k)
      if (index[k] != r.header.first_simulation + static_cast<std::int64_t>(k))
        r.fail("simulations/index[" + std::to_string(k) + "] is " + std::to_string(index[k]) + ", expected first_simulation + " +
               std::to_string(k));
    stage = "soma_v_mV";
    r.soma = r.file.openDataSet("soma_v_mV");
    r.header.store_soma_8perms = r.file.nameExists("soma_v_8perms_mV");
    if (r.header.store_soma_8perms) r.soma8 = r.file.openDataSet("soma_v_8perms_mV");
    if (r.file.nameExists("dendrite_v_mV")) {
      r.dendrite = r.file.openDataSet("dendrite_v_mV");
      r.header.dendrite_location = attribute_as<std::string>(h5::read_attribute(r.dendrite.openAttribute("location")));
    }
    r.header.store_segment_voltages = r.file.nameExists("dendritic_v_mV");
    if (r.header.store_segment_voltages) {
      stage = "dendritic_v_mV";
      r.segment_v = r.file.openDataSet("dendritic_v_mV");
      if (!(r.segment_v.getDataType() == h5::float16_type())) r.fail("dendritic_v_mV is not float16");
    }
  } catch (const InputError&) {
    throw;
  } catch (const H5::Exception& e) {
    r.fail("cannot read " + stage + " (truncated or corrupt file?): " + e.getDetailMsg());
  } catch (const std::exception& e) {
    r.fail("malformed " + stage + ": " + e.what());
  }

  // Shapes and index ranges.
  const auto n = static_cast<std::size_t>(r.header.simulation_count);
  r.samples = static_cast<std::size_t>(r.header.duration_ms);
  auto check_pointer = [&](const std::vector<std::int64_t>& p, const H5::DataSet& data, const char* what) {
    if (p.size() != n + 1) r.fail(std::string(what) + "/index_pointer has " + std::to_string(p.size()) + " entries, expected " + std::to_string(n + 1));
    if (p.front() != 0) r.fail(std::string(what) + "/index_pointer does not start at 0");
    for (std::size_t k = 1; k < p.size(); ++k)
      if (p[k] < p[k - 1]) r.fail(std::string(what) + "/index_pointer is not monotonic");
    const auto d = h5::dims(data);
    if (d.size() != 1 || static_cast<std::int64_t>(d[0]) != p.back())
      r.fail(std::string(what) + "/timestamps length does not match its index pointer");
  };
  check_pointer(r.input_pointer, r.input_times, "inputs");
  check_pointer(r.spike_pointer, r.spike_times, "output_spikes");
  if (h5::dims(r.input_channels) != h5::dims(r.input_times)) r.fail("inputs/node_ids and inputs/timestamps differ in length");
  auto check_matrix = [&](const H5::DataSet& ds, std::size_t columns, const char* name) {
    const auto d = h5::dims(ds);
    if (d.size() != 2 || d[0] != n || d[1] != columns)
      r.fail(std::string(name) + " has the wrong shape (expected " + std::to_string(n) + " x " + std::to_string(columns) + ")");
  };
  check_matrix(r.soma, r.samples, "soma_v_mV");
  if (r.header.store_soma_8perms) check_matrix(r.soma8, 8 * r.samples, "soma_v_8perms_mV");
  if (!r.header.dendrite_location.empty()) check_matrix(r.dendrite, r.samples, "dendrite_v_mV");
  if (r.header.store_segment_voltages) {
    const auto d = h5::dims(r.segment_v);
    if (d.size() != 3 || d[0] != n || d[1] != r.header.segments.size() || d[2] != r.samples)
      r.fail("dendritic_v_mV has the wrong shape (expected " + std::to_string(n) + " x " +
             std::to_string(r.header.segments.size()) + " x " + std::to_string(r.samples) + ")");
  }
  if (r.header.first_simulation < r.header.split_first_simulation ||
      r.header.first_simulation + r.header.simulation_count > r.header.split_first_simulation + r.header.split_simulation_count)
    r.fail("simulations " + std::to_string(r.header.first_simulation) + "+" + std::to_string(r.header.simulation_count) +
           " lie outside the split's range");
}

DatasetReader::~DatasetReader() = default;
DatasetReader::DatasetReader(DatasetReader&&) noexcept = default;
DatasetReader& DatasetReader::operator=(DatasetReader&&) noexcept = default;

const std::string& DatasetReader::path() const { return impl_->path; }
const DatasetHeader& DatasetReader::header() const { return impl_->header; }
std::size_t DatasetReader::simulation_count() const { return static_cast<std::size_t>(impl_->header.simulation_count); }
std::size_t DatasetReader::input_count() const { return impl_->inputs; }
std::size_t DatasetReader::samples_per_simulation() const { return impl_->samples; }

AttributeValue DatasetReader::attribute(const std::string& name) const {
  for (const Attribute& a : impl_->header.attributes)
    if (a.name == name) return a.value;
  throw InputError(impl_->path + ": no attribute '" + name + "'");
}

void DatasetReader::read_inputs(std::size_t k, std::vector<float>& times_ms, std::vector<std::int32_t>& channels) const {
  const Impl& r = *impl_;
  if (k >= simulation_count()) r.fail("simulation " + std::to_string(k) + " out of range");
  const auto begin = static_cast<hsize_t>(r.input_pointer[k]);
  const auto count = static_cast<hsize_t>(r.input_pointer[k + 1] - r.input_pointer[k]);
  try {
    times_ms = h5::read_range<float>(r.input_times, begin, count);
    channels = h5::read_range<std::int32_t>(r.input_channels, begin, count);
  } catch (const H5::Exception& e) {
    r.fail("cannot read inputs of simulation " + std::to_string(k) + " (truncated file?): " + e.getDetailMsg());
  }
  for (std::int32_t c : channels)
    if (c < 0 || static_cast<std::size_t>(c) >= r.inputs)
      r.fail("input channel " + std::to_string(c) + " out of range in simulation " + std::to_string(k));
}

std::vector<float> DatasetReader::read_soma(std::size_t k, std::size_t begin, std::size_t count) const {
  const Impl& r = *impl_;
  if (k >= simulation_count()) r.fail("simulation " + std::to_string(k) + " out of range");
  if (count == kAllSamples) count = r.samples - std::min(begin, r.samples);
  if (begin + count > r.samples) r.fail("soma_v_mV samples " + std::to_string(begin) + "+" + std::to_string(count) + " out of range");
  try {
    return h5::read_row<float>(r.soma, k, begin, count);
  } catch (const H5::Exception& e) {
    r.fail("cannot read soma_v_mV row " + std::to_string(k) + " (truncated file?): " + e.getDetailMsg());
  }
}

std::vector<double> DatasetReader::read_spikes(std::size_t k) const {
  const Impl& r = *impl_;
  if (k >= simulation_count()) r.fail("simulation " + std::to_string(k) + " out of range");
  try {
    return h5::read_range<double>(r.spike_times, static_cast<hsize_t>(r.spike_pointer[k]),
                                  static_cast<hsize_t>(r.spike_pointer[k + 1] - r.spike_pointer[k]));
  } catch (const H5::Exception& e) {
    r.fail("cannot read output spikes of simulation " + std::to_string(k) + ": " + e.getDetailMsg());
  }
}

std::vector<std::uint16_t> DatasetReader::read_segment_voltages_f16(std::size_t k, std::size_t begin,
                                                                   std::size_t count) const {
  const Impl& r = *impl_;
  if (k >= simulation_count()) r.fail("simulation " + std::to_string(k) + " out of range");
  if (!r.header.store_segment_voltages) r.fail("holds no dendritic_v_mV (simulation.store_dendritic_voltages was off)");
  if (count == kAllSamples) count = r.samples - std::min(begin, r.samples);
  if (begin + count > r.samples) r.fail("dendritic_v_mV samples " + std::to_string(begin) + "+" + std::to_string(count) + " out of range");
  const hsize_t segments = r.header.segments.size();
  std::vector<std::uint16_t> out(segments * count);
  if (out.empty()) return out;
  try {
    H5::DataSpace file_space = r.segment_v.getSpace();
    const hsize_t start[3] = {k, 0, begin}, n[3] = {1, segments, count};
    file_space.selectHyperslab(H5S_SELECT_SET, n, start);
    H5::DataSpace mem_space(3, n);
    r.segment_v.read(out.data(), h5::float16_type(), mem_space, file_space);
  } catch (const H5::Exception& e) {
    r.fail("cannot read dendritic_v_mV of simulation " + std::to_string(k) + " (truncated file?): " + e.getDetailMsg());
  }
  return out;
}

std::vector<float> DatasetReader::read_segment_voltages(std::size_t k, std::size_t begin, std::size_t count) const {
  const std::vector<std::uint16_t> bits = read_segment_voltages_f16(k, begin, count);
  std::vector<float> out(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) out[i] = half_to_float(bits[i]);
  return out;
}

SimulationRecord DatasetReader::read(std::size_t k) const {
  const Impl& r = *impl_;
  SimulationRecord rec;
  rec.simulation_index = r.header.first_simulation + static_cast<std::int64_t>(k);
  read_inputs(k, rec.input_times_ms, rec.input_channels);
  rec.soma_v_mV = read_soma(k);
  rec.output_spike_times_ms = read_spikes(k);
  try {
    if (r.header.store_soma_8perms) rec.soma_v_8perms_mV = h5::read_row<float>(r.soma8, k);
    if (!r.header.dendrite_location.empty()) rec.dendrite_v_mV = h5::read_row<float>(r.dendrite, k);
    if (r.header.store_segment_voltages) rec.segment_v_f16 = read_segment_voltages_f16(k);
    rec.rate_change_interval_ms = h5::read_range<double>(r.intervals, k, 1).at(0);
    rec.smoothing_sigma_ms = h5::read_range<double>(r.sigmas, k, 1).at(0);
  } catch (const H5::Exception& e) {
    r.fail("cannot read simulation " + std::to_string(k) + " (truncated file?): " + e.getDetailMsg());
  }
  return rec;
}

}  // namespace neurotwin
