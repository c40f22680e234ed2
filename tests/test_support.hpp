#pragma once
#include <filesystem>
#include <string>

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

}  // namespace neurotwin::test
