#include "neurotwin/datasets/reference_file.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "hdf5_util.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

namespace fs = std::filesystem;

namespace {

template <typename T>
std::vector<T> read_1d(const H5::H5File& f, const std::string& name, const std::string& path) {
  if (!f.nameExists(name)) throw InputError(path + ": no dataset '" + name + "'");
  const H5::DataSet ds = f.openDataSet(name);
  if (h5::dims(ds).size() != 1) throw InputError(path + ": '" + name + "' is not one-dimensional");
  return h5::read_all<T>(ds);
}

double read_double_attribute(const H5::H5File& f, const std::string& name, double fallback) {
  if (!f.attrExists(name)) return fallback;
  double value = fallback;
  f.openAttribute(name).read(H5::PredType::NATIVE_DOUBLE, &value);
  return value;
}

// A text attribute of the root group, or "" when absent or not text.
std::string read_text_attribute(const H5::H5File& f, const std::string& name) {
  if (!f.attrExists(name)) return "";
  const AttributeValue value = h5::read_attribute(f.openAttribute(name));
  const std::string* text = std::get_if<std::string>(&value);
  return text ? *text : "";
}

}  // namespace

std::vector<float> ReferenceRecording::soma_at_whole_ms(std::size_t bins) const {
  std::vector<float> out(bins);
  for (std::size_t t = 0; t < bins; ++t) {
    const auto k = static_cast<std::size_t>(std::llround(static_cast<double>(t) / sample_dt_ms));
    if (k >= soma_v_mV.size())
      throw InputError(path + ": soma_v_mV holds " + std::to_string(soma_v_mV.size()) + " samples of " +
                       std::to_string(sample_dt_ms) + " ms, shorter than the " + std::to_string(bins) + " ms run");
    out[t] = soma_v_mV[k];
  }
  return out;
}

bool is_reference_file(const std::string& path) {
  try {
    if (!std::filesystem::exists(path) || !H5::H5File::isHdf5(path)) return false;
    const H5::H5File f(path, H5F_ACC_RDONLY);
    return f.nameExists("inputs") && f.nameExists("inputs/ex_segment");
  } catch (const H5::Exception&) {
    return false;
  }
}

ReferenceRecording read_reference_file(const std::string& path, bool require_traces) {
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
  ReferenceRecording r;
  r.path = path;
  try {
    if (!H5::H5File::isHdf5(path)) throw InputError(path + ": not an HDF5 file");
    const H5::H5File f(path, H5F_ACC_RDONLY);
    r.has_inputs = f.nameExists("inputs") && f.nameExists("inputs/ex_segment");
    if (r.has_inputs) {
      r.ex_segment = read_1d<std::int64_t>(f, "inputs/ex_segment", path);
      r.ex_time_ms = read_1d<double>(f, "inputs/ex_time_ms", path);
      r.inh_segment = read_1d<std::int64_t>(f, "inputs/inh_segment", path);
      r.inh_time_ms = read_1d<double>(f, "inputs/inh_time_ms", path);
      if (r.ex_segment.size() != r.ex_time_ms.size() || r.inh_segment.size() != r.inh_time_ms.size())
        throw InputError(path + ": input segment and time lists differ in length");
      for (const auto* times : {&r.ex_time_ms, &r.inh_time_ms})
        for (double t : *times)
          if (!std::isfinite(t) || t < 0) throw InputError(path + ": an input time is negative or not finite");
    }
    r.duration_ms = read_double_attribute(f, "duration_ms", -1);
    r.replay_cell_model = read_text_attribute(f, "cell_model");
    if (!r.replay_cell_model.empty()) r.replay_inputs_file = read_text_attribute(f, "inputs_file");
    if (require_traces || f.nameExists("soma_v_mV")) {
      r.soma_v_mV = read_1d<float>(f, "soma_v_mV", path);
      r.sample_dt_ms = read_double_attribute(f, "sample_dt_ms", 0);
      if (!(r.sample_dt_ms > 0)) throw InputError(path + ": no positive attribute 'sample_dt_ms' for soma_v_mV");
    }
    if (require_traces || f.nameExists("spike_times_ms")) r.spike_times_ms = read_1d<double>(f, "spike_times_ms", path);
    r.has_spike_times_8perms = f.nameExists("spike_times_8perms_ms");
    if (r.has_spike_times_8perms) r.spike_times_8perms_ms = read_1d<double>(f, "spike_times_8perms_ms", path);
  } catch (const H5::Exception& e) {
    throw InputError(path + ": cannot read (truncated or corrupt?): " + e.getDetailMsg());
  }
  return r;
}

void write_reference_layout(const std::string& path, const ReferenceLayoutFile& file) {
  const std::string partial = path + ".partial";
  try {
    const fs::path parent = fs::absolute(path).parent_path();
    fs::create_directories(parent);
    H5::H5File f(partial, H5F_ACC_TRUNC);
    H5::Group root = f.openGroup("/");
    for (const auto& [name, values] : file.float32) h5::write_vector(root, name, values);
    for (const auto& [name, values] : file.float64) h5::write_vector(root, name, values);
    for (const auto& [name, values] : file.int64) h5::write_vector(root, name, values);
    for (const ReferenceLayoutFile::Matrix& m : file.float32_matrices) {
      if (m.values.size() != m.rows * m.columns)
        throw InputError(path + ": " + m.name + " has " + std::to_string(m.values.size()) + " values, not " +
                         std::to_string(m.rows) + " x " + std::to_string(m.columns));
      const hsize_t shape[2] = {m.rows, m.columns};
      H5::DSetCreatPropList properties;
      if (m.rows > 0 && m.columns > 0) {
        const hsize_t chunk[2] = {1, std::min<hsize_t>(m.columns, 1u << 16)};
        properties.setChunk(2, chunk);
        properties.setDeflate(4);
      }
      H5::DataSet ds = root.createDataSet(m.name, H5::PredType::NATIVE_FLOAT, H5::DataSpace(2, shape), properties);
      if (!m.values.empty()) ds.write(m.values.data(), H5::PredType::NATIVE_FLOAT);
    }
    for (const auto& [name, value] : file.text_attributes) h5::write_attribute(root, name, AttributeValue{value});
    for (const auto& [name, value] : file.number_attributes) h5::write_attribute(root, name, AttributeValue{value});
    for (const auto& [dataset, attribute] : file.dataset_text_attributes) {
      H5::DataSet ds = f.openDataSet(dataset);
      h5::write_attribute(ds, attribute.first, AttributeValue{attribute.second});
    }
    f.close();
  } catch (const H5::Exception& e) {
    throw InputError(partial + ": cannot write: " + e.getDetailMsg());
  }
  fs::rename(partial, path);
}

}  // namespace neurotwin
