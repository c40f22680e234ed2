#include "neurotwin/datasets/dataset_merge.hpp"

#include <algorithm>
#include <filesystem>

#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/datasets/dataset_writer.hpp"
#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

bool is_per_file_attribute(const std::string& name) {
  static const char* const names[] = {"schema_version",     "complete",         "created_utc",
                                      "first_simulation",   "simulation_count", "shard_index",
                                      "shard_count",        "split",            "seed",
                                      "duration_ms",        "split_first_simulation",
                                      "split_simulation_count", "software",     "software_version",
                                      "software_build"};
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return name == n; });
}

namespace {

std::string describe(const AttributeValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>)
          return "'" + (x.size() > 60 ? x.substr(0, 60) + "..." : x) + "'";
        else
          return std::to_string(x);
      },
      v);
}

// Attributes that must agree between shards: everything but the per-shard
// ones; the software identity must agree too (it is not copied, the writer
// records its own).
void check_same_origin(const DatasetReader& a, const DatasetReader& b) {
  const DatasetHeader& ha = a.header();
  const DatasetHeader& hb = b.header();
  auto fail = [&](const std::string& what) {
    throw InputError(b.path() + ": cannot be merged with " + a.path() + ": " + what);
  };
  if (ha.split != hb.split) fail("split '" + hb.split + "' vs '" + ha.split + "'");
  if (ha.seed != hb.seed) fail("seed " + std::to_string(hb.seed) + " vs " + std::to_string(ha.seed));
  if (ha.duration_ms != hb.duration_ms) fail("different duration_ms");
  if (ha.split_first_simulation != hb.split_first_simulation || ha.split_simulation_count != hb.split_simulation_count)
    fail("they belong to differently sized splits");
  if (ha.store_soma_8perms != hb.store_soma_8perms || ha.dendrite_location != hb.dendrite_location ||
      ha.store_segment_voltages != hb.store_segment_voltages)
    fail("different recorded signals");
  if (ha.segments.size() != hb.segments.size()) fail("different segment tables");
  for (std::size_t i = 0; i < ha.segments.size(); ++i) {
    const SegmentInfo &x = ha.segments[i], &y = hb.segments[i];
    if (x.section != y.section || x.tree != y.tree || x.x != y.x || x.length_um != y.length_um ||
        x.diameter_um != y.diameter_um || x.area_um2 != y.area_um2 || x.distance_um != y.distance_um)
      fail("segment table row " + std::to_string(i) + " differs");
  }
  auto compared = [](const DatasetHeader& h) {
    std::vector<Attribute> out;
    for (const Attribute& at : h.attributes)
      if (!is_per_file_attribute(at.name) || at.name == "software_version" || at.name == "software_build") out.push_back(at);
    std::sort(out.begin(), out.end(), [](const Attribute& x, const Attribute& y) { return x.name < y.name; });
    return out;
  };
  const auto xa = compared(ha), xb = compared(hb);
  for (const Attribute& at : xa) {
    const auto it = std::find_if(xb.begin(), xb.end(), [&](const Attribute& o) { return o.name == at.name; });
    if (it == xb.end()) fail("attribute '" + at.name + "' is missing");
    if (!(it->value == at.value)) fail("attribute '" + at.name + "' is " + describe(it->value) + " vs " + describe(at.value));
  }
  if (xa.size() != xb.size()) fail("it has attributes the other lacks");
}

}  // namespace

void merge_datasets(const std::vector<std::string>& inputs, const std::string& output,
                    const std::function<void(std::size_t, std::size_t)>& progress) {
  if (inputs.empty()) throw InputError(output + ": nothing to merge");
  std::vector<DatasetReader> shards;
  for (const std::string& path : inputs) {
    if (std::filesystem::weakly_canonical(path) == std::filesystem::weakly_canonical(output))
      throw InputError(path + ": is also the merge output");
    shards.emplace_back(path);
  }
  std::sort(shards.begin(), shards.end(), [](const DatasetReader& a, const DatasetReader& b) {
    return a.header().first_simulation < b.header().first_simulation;
  });
  for (std::size_t i = 1; i < shards.size(); ++i) check_same_origin(shards[0], shards[i]);

  const DatasetHeader& first = shards[0].header();
  std::int64_t next = first.split_first_simulation;
  for (const DatasetReader& s : shards) {
    const DatasetHeader& h = s.header();
    if (h.simulation_count == 0) continue;
    if (h.first_simulation > next)
      throw InputError(output + ": simulations " + std::to_string(next) + ".." + std::to_string(h.first_simulation - 1) +
                       " of split '" + first.split + "' are in none of the inputs (a shard is missing)");
    if (h.first_simulation < next)
      throw InputError(s.path() + ": overlaps another input (simulation " + std::to_string(h.first_simulation) +
                       " appears twice)");
    next = h.first_simulation + h.simulation_count;
  }
  const std::int64_t end = first.split_first_simulation + first.split_simulation_count;
  if (next != end)
    throw InputError(output + ": simulations " + std::to_string(next) + ".." + std::to_string(end - 1) + " of split '" +
                     first.split + "' are in none of the inputs (a shard is missing)");

  DatasetHeader header = first;
  header.first_simulation = first.split_first_simulation;
  header.simulation_count = first.split_simulation_count;
  header.shard_index = 0;
  header.shard_count = 1;
  header.attributes.clear();
  for (const Attribute& a : first.attributes)
    if (!is_per_file_attribute(a.name)) header.attributes.push_back(a);

  DatasetWriter writer(output, header);
  const auto total = static_cast<std::size_t>(header.simulation_count);
  std::size_t done = 0;
  for (const DatasetReader& s : shards)
    for (std::size_t k = 0; k < s.simulation_count(); ++k) {
      writer.write(s.read(k));
      if (progress) progress(++done, total);
    }
  writer.finish();
}

}  // namespace neurotwin
