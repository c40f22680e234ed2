#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace neurotwin::cli {

void log_line(const std::string& message) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  std::fprintf(stderr, "[%s] %s\n", stamp, message.c_str());
  std::fflush(stderr);
}

Progress::Progress(std::string label, std::size_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()), last_print_(start_) {}

namespace {
std::string format_duration(double seconds) {
  char buf[32];
  if (seconds < 60) std::snprintf(buf, sizeof buf, "%.0fs", seconds);
  else if (seconds < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(seconds) / 60, static_cast<int>(seconds) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(seconds) / 3600, static_cast<int>(seconds) % 3600 / 60);
  return buf;
}
}  // namespace

void Progress::update(std::size_t done, const std::string& detail) {
  const auto now = std::chrono::steady_clock::now();
  if (!have_base_) {
    have_base_ = true;
    base_done_ = done > 0 ? done - 1 : 0;  // the first update reports one unit (a step, a simulation) just done
    base_time_ = start_;
    if (done > 1) base_time_ = now;  // resumed: earlier units were not done in this run's time
  }
  const double elapsed = std::chrono::duration<double>(now - base_time_).count();
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  const double rate = elapsed > 0 && done > base_done_ ? static_cast<double>(done - base_done_) / elapsed : 0;
  const double eta = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : 0;
  char line[256];
  std::snprintf(line, sizeof line, "%s: %zu/%zu %s, %.2f %s/s, ETA %s", label_.c_str(), done, total_, unit_.c_str(), rate,
                unit_.c_str(), rate > 0 ? format_duration(eta).c_str() : "?");
  std::string text = line;
  if (!detail.empty()) text += " | " + detail;
  if (tty_) {
    if (since_print < 0.2 && done < total_) return;
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
  } else {
    const std::size_t decile = total_ ? done * 10 / total_ : 10;
    if (decile <= last_logged_decile_ && since_print < 30 && done < total_) return;
    if (done == total_ && last_logged_decile_ == 10) return;
    last_logged_decile_ = decile;
    log_line(text);
  }
  last_print_ = now;
}

void Progress::finish(const std::string& detail) {
  if (finished_) return;
  finished_ = true;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (tty_) std::fprintf(stderr, "\r\033[K");
  log_line(label_ + ": done in " + format_duration(elapsed) + (detail.empty() ? "" : " | " + detail));
}

}  // namespace neurotwin::cli
