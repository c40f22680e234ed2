#include "neurotwin/report/report_data.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "neurotwin/simulator/input_error.hpp"

namespace neurotwin {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

double to_double(const std::string& s, const std::string& where) {
  if (s == "nan") return std::nan("");
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    throw InputError(where + ": '" + s + "' is not a number");
  }
}

// A CSV file as rows of column name -> text.
std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read (missing?)");
  std::vector<std::map<std::string, std::string>> rows;
  std::vector<std::string> header;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split_csv_line(line);
    if (header.empty()) {
      header = cells;
      continue;
    }
    if (cells.size() != header.size())
      throw InputError(path + ":" + std::to_string(number) + ": " + std::to_string(cells.size()) + " columns, the header has " +
                       std::to_string(header.size()));
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  if (header.empty()) throw InputError(path + ": empty");
  return rows;
}

std::string field(const std::map<std::string, std::string>& row, const std::string& key, const std::string& path) {
  const auto it = row.find(key);
  if (it == row.end()) throw InputError(path + ": no column '" + key + "'");
  return it->second;
}

}  // namespace

std::vector<TrainingLogRow> read_training_log(const std::string& path) {
  std::vector<TrainingLogRow> out;
  for (const auto& row : read_csv(path)) {
    TrainingLogRow r;
    r.step = static_cast<int>(to_double(field(row, "step", path), path));
    r.wall_seconds = to_double(field(row, "wall_seconds", path), path);
    r.learning_rate = to_double(field(row, "learning_rate", path), path);
    r.train_loss = to_double(field(row, "train_loss", path), path);
    r.valid_auc = to_double(field(row, "valid_auc", path), path);
    r.valid_soma_rmse_mV = to_double(field(row, "valid_soma_rmse_mV", path), path);
    out.push_back(r);
  }
  return out;
}

int SweepRecord::best_network() const { return best_validation_network(rows); }

int SweepRecord::glm() const {
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i].is_glm()) return static_cast<int>(i);
  return -1;
}

SweepRecord read_sweep_record(const std::string& sweep_dir) {
  SweepRecord record;
  record.sweep_dir = sweep_dir;
  const fs::path dir(sweep_dir);
  const std::string results = (dir / "results.json").string();
  std::ifstream in(results);
  if (!in) throw InputError(results + ": missing (has the sweep finished?)");
  nlohmann::json json;
  try {
    in >> json;
    record.auc_margin = json.at("auc_margin").get<double>();
    for (const auto& row : json.at("rows")) {
      const std::string name = row.at("name").get<std::string>();
      record.rows.push_back(load_sweep_row((dir / name / "result.yaml").string()));
      if (row.at("chosen").get<bool>()) record.chosen = static_cast<int>(record.rows.size()) - 1;
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(results + ": unreadable (" + std::string(e.what()) + ")");
  }
  if (record.rows.empty()) throw InputError(results + ": no rows");
  const fs::path curve = dir / "learning_curve.csv";
  if (fs::exists(curve)) {
    for (const auto& row : read_csv(curve.string())) {
      LearningCurvePoint p;
      const std::string where = curve.string();
      p.fraction = to_double(field(row, "fraction", where), where);
      p.train_simulations = static_cast<int>(to_double(field(row, "train_simulations", where), where));
      p.train_hours = to_double(field(row, "train_hours", where), where);
      const std::string name = field(row, "name", where);
      const fs::path own = dir / "learning_curve" / name / "result.yaml";
      p.row = load_sweep_row((fs::exists(own) ? own : dir / name / "result.yaml").string());
      record.learning_curve.push_back(p);
    }
  }
  return record;
}

}  // namespace neurotwin
