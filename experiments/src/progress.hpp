#pragma once
#include <chrono>
#include <string>

namespace neurotwin::cli {

// Progress of a long step on stderr: a live line (done/total, rate, ETA) on a
// terminal; plain log lines (about every 10% or 30 s) otherwise.
class Progress {
 public:
  Progress(std::string label, std::size_t total, std::string unit);
  void update(std::size_t done, const std::string& detail = "");
  void finish(const std::string& detail = "");

 private:
  std::string label_, unit_;
  std::size_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
  // The rate counts from the first update (a resumed job starts past 0).
  bool have_base_ = false;
  std::size_t base_done_ = 0;
  std::chrono::steady_clock::time_point base_time_;
  std::size_t last_logged_decile_ = 0;
  bool finished_ = false;
};

// A timestamped log line on stderr.
void log_line(const std::string& message);

}  // namespace neurotwin::cli
