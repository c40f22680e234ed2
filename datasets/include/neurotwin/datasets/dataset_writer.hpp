#pragma once
#include <memory>
#include <string>

#include "neurotwin/datasets/dataset_schema.hpp"

namespace neurotwin {

// Writes one dataset file. Data go to "<path>.partial"; finish() writes the
// index pointers, sets the `complete` attribute last, closes and renames the
// file to <path>. A writer destroyed before finish() leaves only the
// .partial file, which no reader accepts.
class DatasetWriter {
 public:
  DatasetWriter(const std::string& path, const DatasetHeader& header);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  // Records must come in simulation order (first_simulation, first + 1, ...).
  void write(const SimulationRecord& record);
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace neurotwin
