#include "neurotwin/datasets/simulation_part.hpp"

#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

namespace {

constexpr char kMagic[8] = {'N', 'T', 'P', 'A', 'R', 'T', '0', '1'};

class ByteWriter {
 public:
  template <typename T>
  void scalar(T value) {
    const auto* p = reinterpret_cast<const char*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  template <typename T>
  void array(const std::vector<T>& v) {
    scalar<std::uint64_t>(v.size());
    const auto* p = reinterpret_cast<const char*>(v.data());
    bytes_.insert(bytes_.end(), p, p + v.size() * sizeof(T));
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : bytes_(bytes) {}
  template <typename T>
  bool scalar(T& value) {
    if (bytes_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  template <typename T>
  bool array(std::vector<T>& v) {
    std::uint64_t n = 0;
    if (!scalar(n) || n > (bytes_.size() - pos_) / sizeof(T)) return false;
    v.resize(n);
    std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return true;
  }
  bool at_end() const { return pos_ == bytes_.size(); }

 private:
  const std::string& bytes_;
  std::size_t pos_ = 0;
};

std::uint32_t crc32_of(const std::string& bytes) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

}  // namespace

void save_simulation_part(const std::string& path, const SimulationRecord& r) {
  ByteWriter w;
  w.scalar(r.simulation_index);
  w.scalar(r.rate_change_interval_ms);
  w.scalar(r.smoothing_sigma_ms);
  w.array(r.input_times_ms);
  w.array(r.input_channels);
  w.array(r.soma_v_mV);
  w.array(r.soma_v_8perms_mV);
  w.array(r.dendrite_v_mV);
  w.array(r.segment_v_f16);
  w.array(r.output_spike_times_ms);
  const std::string& raw = w.bytes();
  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size, reinterpret_cast<const Bytef*>(raw.data()),
                static_cast<uLong>(raw.size()), 1) != Z_OK)
    throw InputError(path + ": cannot compress simulation " + std::to_string(r.simulation_index));
  compressed.resize(compressed_size);

  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(kMagic, sizeof kMagic);
    const std::uint64_t sizes[2] = {raw.size(), compressed.size()};
    const std::uint32_t crc = crc32_of(raw);
    out.write(reinterpret_cast<const char*>(sizes), sizeof sizes);
    out.write(reinterpret_cast<const char*>(&crc), sizeof crc);
    out.write(compressed.data(), static_cast<std::streamsize>(compressed.size()));
    out.flush();
    if (!out) throw InputError(tmp + ": cannot write (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw InputError(path + ": cannot rename finished part: " + ec.message());
}

std::optional<SimulationRecord> load_simulation_part(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  char magic[sizeof kMagic];
  std::uint64_t sizes[2] = {0, 0};
  std::uint32_t crc = 0;
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0) return std::nullopt;
  if (!in.read(reinterpret_cast<char*>(sizes), sizeof sizes) || !in.read(reinterpret_cast<char*>(&crc), sizeof crc))
    return std::nullopt;
  if (sizes[0] > (std::uint64_t{1} << 36) || sizes[1] > (std::uint64_t{1} << 36)) return std::nullopt;
  std::string compressed(sizes[1], '\0');
  if (!in.read(compressed.data(), static_cast<std::streamsize>(compressed.size()))) return std::nullopt;
  if (in.peek() != std::ifstream::traits_type::eof()) return std::nullopt;
  std::string raw(sizes[0], '\0');
  uLongf raw_size = static_cast<uLongf>(raw.size());
  if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()),
                 static_cast<uLong>(compressed.size())) != Z_OK ||
      raw_size != raw.size() || crc32_of(raw) != crc)
    return std::nullopt;
  SimulationRecord r;
  ByteReader b(raw);
  if (!b.scalar(r.simulation_index) || !b.scalar(r.rate_change_interval_ms) || !b.scalar(r.smoothing_sigma_ms) ||
      !b.array(r.input_times_ms) || !b.array(r.input_channels) || !b.array(r.soma_v_mV) ||
      !b.array(r.soma_v_8perms_mV) || !b.array(r.dendrite_v_mV) || !b.array(r.segment_v_f16) ||
      !b.array(r.output_spike_times_ms) || !b.at_end())
    return std::nullopt;
  return r;
}

}  // namespace neurotwin
