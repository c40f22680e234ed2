#pragma once
#include <functional>
#include <string>
#include <vector>

namespace neurotwin {

// Combines the shard files of one split (any order) into `output`. Every shard
// must be complete, come from the same split, seed, cell, protocol and build
// (all attributes equal but the per-shard ones), and together the shards must
// cover the split's simulations exactly once. The merged file has the same
// content as the file one unsharded run writes (only created_utc differs).
// Throws InputError naming the offending file.
void merge_datasets(const std::vector<std::string>& inputs, const std::string& output,
                    const std::function<void(std::size_t done, std::size_t total)>& progress = {});

// Root attributes that differ between shards of one split or that the writer
// sets itself; merge_datasets compares all others.
bool is_per_file_attribute(const std::string& name);

}  // namespace neurotwin
