#pragma once
#include <stdexcept>
#include <string>

namespace neurotwin {

// Bad user input: a malformed file, an invalid parameter. The message names
// the file (and line or key) so the command line can print it as it is.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "file:line: message" (line omitted when 0).
inline std::string located(const std::string& file, int line, const std::string& message) {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line);
  return where + ": " + message;
}

}  // namespace neurotwin
