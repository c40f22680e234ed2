#include "hdf5_util.hpp"

namespace neurotwin::h5 {

H5::FloatType float16_type() {
  H5::FloatType type(H5::PredType::IEEE_F32LE);
  type.setFields(15, 10, 5, 0, 10);  // sign bit, exponent position/size, mantissa position/size
  type.setSize(2);
  type.setEbias(15);
  return type;
}

void write_attribute(H5::H5Object& object, const std::string& name, const AttributeValue& value) {
  H5::DataSpace scalar(H5S_SCALAR);
  if (object.attrExists(name)) object.removeAttr(name);
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    object.createAttribute(name, H5::PredType::NATIVE_INT64, scalar).write(H5::PredType::NATIVE_INT64, i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    object.createAttribute(name, H5::PredType::NATIVE_DOUBLE, scalar).write(H5::PredType::NATIVE_DOUBLE, d);
  } else {
    const H5::StrType type = string_type();
    object.createAttribute(name, type, scalar).write(type, std::get<std::string>(value));
  }
}

AttributeValue read_attribute(const H5::Attribute& attribute) {
  const H5T_class_t cls = attribute.getTypeClass();
  if (cls == H5T_INTEGER) {
    std::int64_t v = 0;
    attribute.read(H5::PredType::NATIVE_INT64, &v);
    return v;
  }
  if (cls == H5T_FLOAT) {
    double v = 0;
    attribute.read(H5::PredType::NATIVE_DOUBLE, &v);
    return v;
  }
  if (cls == H5T_STRING) {
    std::string s;
    attribute.read(attribute.getStrType(), s);
    return s;
  }
  return std::string("<unsupported attribute type>");
}

void write_strings(H5::Group& group, const std::string& name, const std::vector<std::string>& data) {
  const hsize_t dims1[1] = {data.size()};
  H5::DataSpace space(1, dims1);
  const H5::StrType type = string_type();
  H5::DataSet ds = group.createDataSet(name, type, space);
  std::vector<const char*> pointers;
  for (const std::string& s : data) pointers.push_back(s.c_str());
  if (!data.empty()) ds.write(pointers.data(), type);
}

std::vector<std::string> read_strings(const H5::DataSet& ds) {
  const auto d = dims(ds);
  const hsize_t n = d.empty() ? 0 : d[0];
  std::vector<std::string> out;
  if (n == 0) return out;
  const H5::StrType type = string_type();
  std::vector<char*> pointers(n, nullptr);
  ds.read(pointers.data(), type);
  for (char* p : pointers) out.emplace_back(p ? p : "");
  H5::DataSpace space = ds.getSpace();
  H5Dvlen_reclaim(type.getId(), space.getId(), H5P_DEFAULT, pointers.data());
  return out;
}

H5::DataSet create_extendible(H5::Group& group, const std::string& name, const H5::PredType& type, hsize_t chunk) {
  const hsize_t initial[1] = {0}, maximum[1] = {H5S_UNLIMITED}, chunk_dims[1] = {chunk};
  H5::DataSpace space(1, initial, maximum);
  H5::DSetCreatPropList props;
  props.setChunk(1, chunk_dims);
  props.setShuffle();
  props.setDeflate(4);
  return group.createDataSet(name, type, space, props);
}

std::vector<hsize_t> dims(const H5::DataSet& ds) {
  H5::DataSpace space = ds.getSpace();
  const int rank = space.getSimpleExtentNdims();
  std::vector<hsize_t> d(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) space.getSimpleExtentDims(d.data());
  return d;
}

}  // namespace neurotwin::h5
