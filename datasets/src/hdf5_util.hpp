#pragma once
// Small helpers over the HDF5 C++ API, private to the datasets library.
#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "neurotwin/datasets/dataset_schema.hpp"

namespace neurotwin::h5 {

template <typename T>
const H5::PredType& type_of();
template <>
inline const H5::PredType& type_of<float>() { return H5::PredType::NATIVE_FLOAT; }
template <>
inline const H5::PredType& type_of<double>() { return H5::PredType::NATIVE_DOUBLE; }
template <>
inline const H5::PredType& type_of<std::int32_t>() { return H5::PredType::NATIVE_INT32; }
template <>
inline const H5::PredType& type_of<std::int64_t>() { return H5::PredType::NATIVE_INT64; }

// IEEE binary16 little-endian, the type h5py creates for numpy.float16.
H5::FloatType float16_type();

inline H5::StrType string_type() { return H5::StrType(H5::PredType::C_S1, H5T_VARIABLE); }

void write_attribute(H5::H5Object& object, const std::string& name, const AttributeValue& value);
AttributeValue read_attribute(const H5::Attribute& attribute);

// A 1-D dataset written whole.
template <typename T>
void write_vector(H5::Group& group, const std::string& name, const std::vector<T>& data) {
  const hsize_t dims[1] = {data.size()};
  H5::DataSpace space(1, dims);
  H5::LinkCreatPropList links;
  links.setCreateIntermediateGroup(true);  // "inputs/ex_segment" creates the group inputs
  H5::DataSet ds = group.createDataSet(name, type_of<T>(), space, H5::DSetCreatPropList::DEFAULT,
                                       H5::DSetAccPropList::DEFAULT, links);
  if (!data.empty()) ds.write(data.data(), type_of<T>());
}
void write_strings(H5::Group& group, const std::string& name, const std::vector<std::string>& data);

// A 1-D dataset that grows by appending; gzip + shuffle, chunked.
H5::DataSet create_extendible(H5::Group& group, const std::string& name, const H5::PredType& type, hsize_t chunk);
template <typename T>
void append(H5::DataSet& ds, const std::vector<T>& data) {
  if (data.empty()) return;
  hsize_t size = 0;
  ds.getSpace().getSimpleExtentDims(&size);
  const hsize_t new_size[1] = {size + data.size()};
  ds.extend(new_size);
  H5::DataSpace file_space = ds.getSpace();
  const hsize_t start[1] = {size}, count[1] = {data.size()};
  file_space.selectHyperslab(H5S_SELECT_SET, count, start);
  H5::DataSpace mem_space(1, count);
  ds.write(data.data(), type_of<T>(), mem_space, file_space);
}

// Dimensions of a dataset.
std::vector<hsize_t> dims(const H5::DataSet& ds);

// Reads elements [begin, begin + count) of a 1-D dataset.
template <typename T>
std::vector<T> read_range(const H5::DataSet& ds, hsize_t begin, hsize_t count) {
  std::vector<T> out(count);
  if (count == 0) return out;
  H5::DataSpace file_space = ds.getSpace();
  const hsize_t start[1] = {begin}, n[1] = {count};
  file_space.selectHyperslab(H5S_SELECT_SET, n, start);
  H5::DataSpace mem_space(1, n);
  ds.read(out.data(), type_of<T>(), mem_space, file_space);
  return out;
}
template <typename T>
std::vector<T> read_all(const H5::DataSet& ds) {
  const auto d = dims(ds);
  return read_range<T>(ds, 0, d.empty() ? 0 : d[0]);
}
std::vector<std::string> read_strings(const H5::DataSet& ds);

// Row k of a 2-D dataset, or its columns [begin, begin + count).
template <typename T>
std::vector<T> read_row(const H5::DataSet& ds, hsize_t row, hsize_t begin = 0, hsize_t count = ~hsize_t{0}) {
  const auto d = dims(ds);
  if (count == ~hsize_t{0}) count = d.at(1) - begin;
  std::vector<T> out(count);
  if (count == 0) return out;
  H5::DataSpace file_space = ds.getSpace();
  const hsize_t start[2] = {row, begin}, n[2] = {1, count};
  file_space.selectHyperslab(H5S_SELECT_SET, n, start);
  const hsize_t mem_dims[1] = {count};
  H5::DataSpace mem_space(1, mem_dims);
  ds.read(out.data(), type_of<T>(), mem_space, file_space);
  return out;
}

}  // namespace neurotwin::h5
