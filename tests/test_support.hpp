#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace neurotwin::test {

// A fresh, empty directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Runs a shell command; returns its exit status and captured output.
struct CommandResult {
  int status;
  std::string output;
};
CommandResult run_command(const std::string& command);

// Runs a script with the interoperability Python (h5py, torch, neuron).
CommandResult run_python(const std::string& script_and_args);

// The rows of a CSV file with a header line (no quoting), as column -> text.
std::vector<std::map<std::string, std::string>> read_csv_rows(const std::string& path);

}  // namespace neurotwin::test
