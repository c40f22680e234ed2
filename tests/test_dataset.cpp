#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "neurotwin/datasets/dataset_generation.hpp"
#include "neurotwin/datasets/dataset_inspection.hpp"
#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/datasets/dataset_writer.hpp"
#include "neurotwin/datasets/sha256.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "dataset_fixture.hpp"
#include "test_support.hpp"

using namespace neurotwin;
namespace fs = std::filesystem;

namespace {

struct Fixture : test::DatasetFixture {
  Fixture() : DatasetFixture(false) {}
};

}  // namespace

TEST_CASE("SHA-256 of known strings") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("HDF5 round trip: what is written is read back") {
  Fixture f;
  test::TempDir dir("dataset");
  const std::string path = dir.file("train.h5");
  const InputProtocol protocol(f.protocol_config, f.cell, 11);
  std::vector<SimulationRecord> written;
  {
    DatasetWriter w(path, f.header(5, 3));
    for (std::int64_t k = 5; k < 8; ++k) {
      written.push_back(simulate_record(f.cell, protocol, k, f.run, true));
      w.write(written.back());
    }
    CHECK(fs::exists(path + ".partial"));
    CHECK_FALSE(fs::exists(path));
    w.finish();
  }
  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(path + ".partial"));
  const DatasetReader r(path);
  CHECK(r.simulation_count() == 3);
  CHECK(r.input_count() == 2 * f.cell.input_count() / 2);
  CHECK(r.samples_per_simulation() == 300);
  CHECK(r.header().first_simulation == 5);
  CHECK(r.header().seed == 11);
  CHECK(r.header().dendrite_location == "dend[9](0.5)");
  CHECK(r.header().segments.size() == 203);
  CHECK(r.header().segments[0].section == "dend[0]");
  CHECK(std::get<double>(r.attribute("protocol.jitter_ms")) == 20.0);
  CHECK(std::get<std::int64_t>(r.attribute("answer")) == 42);
  CHECK(std::get<std::int64_t>(r.attribute("schema_version")) == 1);
  CHECK(std::get<std::int64_t>(r.attribute("complete")) == 1);
  for (std::size_t k = 0; k < 3; ++k) {
    const SimulationRecord back = r.read(k);
    const SimulationRecord& w = written[k];
    CHECK(back.simulation_index == w.simulation_index);
    CHECK(back.input_times_ms == w.input_times_ms);
    CHECK(back.input_channels == w.input_channels);
    CHECK(back.soma_v_mV == w.soma_v_mV);
    CHECK(back.soma_v_8perms_mV == w.soma_v_8perms_mV);
    CHECK(back.dendrite_v_mV == w.dendrite_v_mV);
    CHECK(back.output_spike_times_ms == w.output_spike_times_ms);
    CHECK(back.rate_change_interval_ms == w.rate_change_interval_ms);
    CHECK(back.smoothing_sigma_ms == w.smoothing_sigma_ms);
    CHECK(back.soma_v_mV.size() == 300);
    CHECK(back.soma_v_8perms_mV.size() == 2400);
    CHECK_FALSE(back.input_times_ms.empty());
  }
}

TEST_CASE("generation does not depend on the thread count or the lockstep lanes") {
  Fixture f;
  test::TempDir dir("threads");
  const InputProtocol protocol(f.protocol_config, f.cell, 11);
  generate_dataset(dir.file("one.h5"), f.cell, protocol, f.header(0, 5), f.run, 1);
  const std::string other = GENERATE(as<std::string>{}, "2 threads", "2 threads x 3 lanes", "1 thread x 5 lanes");
  const int threads = other[0] - '0';
  const std::size_t lanes = other.find("3 lanes") != std::string::npos ? 3 : other.find("5 lanes") != std::string::npos ? 5 : 1;
  // Five simulations: 2 threads x 3 lanes run batches of 3 and 2 side by side, 1 thread x 5 lanes one batch.
  INFO(other);
  generate_dataset(dir.file("two.h5"), f.cell, protocol, f.header(0, 5), f.run, threads, {}, lanes);
  const DatasetReader a(dir.file("one.h5")), b(dir.file("two.h5"));
  for (std::size_t k = 0; k < 5; ++k) {
    const auto ra = a.read(k), rb = b.read(k);
    CHECK(ra.input_times_ms == rb.input_times_ms);
    CHECK(ra.input_channels == rb.input_channels);
    CHECK(ra.soma_v_8perms_mV == rb.soma_v_8perms_mV);
    CHECK(ra.output_spike_times_ms == rb.output_spike_times_ms);
  }
}

TEST_CASE("bad dataset files give clear errors naming the file") {
  Fixture f;
  test::TempDir dir("bad");
  SECTION("missing") { CHECK_THROWS_WITH(DatasetReader(dir.file("none.h5")), Catch::Contains("none.h5") && Catch::Contains("no such")); }
  SECTION("not HDF5") {
    std::ofstream(dir.file("text.h5")) << "hello";
    CHECK_THROWS_WITH(DatasetReader(dir.file("text.h5")), Catch::Contains("text.h5") && Catch::Contains("not an HDF5"));
  }
  SECTION("interrupted: only the .partial file") {
    const InputProtocol protocol(f.protocol_config, f.cell, 11);
    {
      DatasetWriter w(dir.file("cut.h5"), f.header(0, 2));
      w.write(simulate_record(f.cell, protocol, 0, f.run, true));
    }  // destroyed without finish()
    CHECK(fs::exists(dir.file("cut.h5.partial")));
    CHECK_THROWS_WITH(DatasetReader(dir.file("cut.h5")), Catch::Contains("cut.h5") && Catch::Contains("partial"));
    CHECK_THROWS_WITH(DatasetReader(dir.file("cut.h5.partial")), Catch::Contains("incomplete"));
  }
  SECTION("truncated") {
    const InputProtocol protocol(f.protocol_config, f.cell, 11);
    generate_dataset(dir.file("whole.h5"), f.cell, protocol, f.header(0, 2), f.run, 1);
    const auto size = fs::file_size(dir.file("whole.h5"));
    fs::copy_file(dir.file("whole.h5"), dir.file("trunc.h5"));
    fs::resize_file(dir.file("trunc.h5"), size / 2);
    bool threw = false;
    try {
      DatasetReader r(dir.file("trunc.h5"));
      for (std::size_t k = 0; k < r.simulation_count(); ++k) r.read(k);
    } catch (const InputError& e) {
      threw = true;
      CHECK_THAT(std::string(e.what()), Catch::Contains("trunc.h5"));
    }
    CHECK(threw);
  }
  SECTION("records out of order") {
    const InputProtocol protocol(f.protocol_config, f.cell, 11);
    DatasetWriter w(dir.file("order.h5"), f.header(0, 2));
    CHECK_THROWS_WITH(w.write(simulate_record(f.cell, protocol, 1, f.run, true)), Catch::Contains("out of order"));
  }
}

TEST_CASE("h5py reads a generated file and sees what C++ wrote", "[python]") {
  Fixture f;
  test::TempDir dir("h5py");
  const InputProtocol protocol(f.protocol_config, f.cell, 11);
  generate_dataset(dir.file("train.h5"), f.cell, protocol, f.header(0, 3), f.run, 2);
  const DatasetReader r(dir.file("train.h5"));
  std::ofstream expected(dir.file("expected.txt"));
  expected.precision(9);
  for (std::size_t k = 0; k < 3; ++k) {
    const auto rec = r.read(k);
    double sum = 0;
    for (float v : rec.soma_v_mV) sum += static_cast<double>(v);
    expected << rec.input_times_ms.size() << ' ' << rec.output_spike_times_ms.size() << ' ' << sum << ' '
             << rec.input_channels.front() << ' ' << rec.input_times_ms.back() << '\n';
  }
  expected.close();
  const auto result = test::run_python(std::string(NEUROTWIN_TESTS_DIR) + "/python/check_dataset.py " + dir.file("train.h5") +
                                       " " + dir.file("expected.txt") + " " + std::to_string(f.cell.input_count()));
  INFO(result.output);
  CHECK(result.status == 0);
}

TEST_CASE("dataset stats and verify") {
  Fixture f;
  test::TempDir dir("inspect");
  const InputProtocol protocol(f.protocol_config, f.cell, 11);
  generate_dataset(dir.file("ok.h5"), f.cell, protocol, f.header(0, 3), f.run, 2);
  const DatasetReader r(dir.file("ok.h5"));
  CHECK_NOTHROW(verify_dataset(r));
  const DatasetStats s = dataset_stats(r);
  std::size_t spikes = 0, inputs = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    spikes += r.read_spikes(k).size();
    inputs += r.read(k).input_times_ms.size();
  }
  CHECK(s.simulations == 3);
  CHECK(s.simulated_seconds == Approx(0.9));
  CHECK(s.output_spikes == spikes);
  CHECK(s.output_rate_hz == Approx(static_cast<double>(spikes) / 0.9));
  const double per_100ms_total = s.basal_excitatory_per_100ms + s.basal_inhibitory_per_100ms + s.apical_excitatory_per_100ms +
                                 s.apical_inhibitory_per_100ms;
  CHECK(per_100ms_total == Approx(static_cast<double>(inputs) / 9.0));
  CHECK(s.bytes_per_simulated_second > 0);

  // A file whose content breaks the schema's rules (written behind the writer's back) fails verify.
  SimulationRecord rec = simulate_record(f.cell, protocol, 0, f.run, true);
  REQUIRE(rec.input_times_ms.size() > 2);
  std::swap(rec.input_times_ms.front(), rec.input_times_ms.back());
  {
    DatasetWriter w(dir.file("unsorted.h5"), f.header(0, 1));
    w.write(rec);
    w.finish();
  }
  CHECK_THROWS_WITH(verify_dataset(DatasetReader(dir.file("unsorted.h5"))),
                    Catch::Contains("unsorted.h5") && Catch::Contains("simulation 0") && Catch::Contains("not sorted"));
}
