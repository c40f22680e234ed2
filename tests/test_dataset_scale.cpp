// Datasets at scale, library level: float16 storage of dendritic voltages,
// per-simulation parts and resume, shard merge, streamed windows.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "neurotwin/datasets/dataset_generation.hpp"
#include "neurotwin/datasets/dataset_inspection.hpp"
#include "neurotwin/datasets/dataset_merge.hpp"
#include "neurotwin/datasets/dataset_reader.hpp"
#include "neurotwin/datasets/float16.hpp"
#include "neurotwin/datasets/simulation_part.hpp"
#include "neurotwin/datasets/window_reader.hpp"
#include "neurotwin/simulator/builtin_cell.hpp"
#include "neurotwin/simulator/input_error.hpp"
#include "dataset_fixture.hpp"
#include "test_support.hpp"

using namespace neurotwin;
namespace fs = std::filesystem;

namespace {

struct Fixture : test::DatasetFixture {
  Fixture() : DatasetFixture(true) {}
};

void check_same_records(const DatasetReader& a, const DatasetReader& b) {
  REQUIRE(a.simulation_count() == b.simulation_count());
  CHECK(a.header().first_simulation == b.header().first_simulation);
  for (std::size_t k = 0; k < a.simulation_count(); ++k) {
    const SimulationRecord x = a.read(k), y = b.read(k);
    CHECK(x.simulation_index == y.simulation_index);
    CHECK(x.input_times_ms == y.input_times_ms);
    CHECK(x.input_channels == y.input_channels);
    CHECK(x.soma_v_8perms_mV == y.soma_v_8perms_mV);
    CHECK(x.dendrite_v_mV == y.dendrite_v_mV);
    CHECK(x.segment_v_f16 == y.segment_v_f16);
    CHECK(x.output_spike_times_ms == y.output_spike_times_ms);
    CHECK(x.rate_change_interval_ms == y.rate_change_interval_ms);
  }
}

}  // namespace

TEST_CASE("float16 conversion matches IEEE binary16 (numpy.float16)") {
  CHECK(float_to_half(0.0f) == 0x0000);
  CHECK(float_to_half(-0.0f) == 0x8000);
  CHECK(float_to_half(1.0f) == 0x3c00);
  CHECK(float_to_half(-65.0f) == 0xd410);
  CHECK(float_to_half(65504.0f) == 0x7bff);                  // largest finite
  CHECK(float_to_half(65520.0f) == 0x7c00);                  // rounds to infinity
  CHECK(float_to_half(std::ldexp(1.0f, -24)) == 0x0001);     // smallest subnormal
  CHECK(float_to_half(std::ldexp(1.0f, -25)) == 0x0000);     // tie to even: 0
  CHECK(float_to_half(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);  // tie to even (down)
  CHECK(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);  // tie to even (up)
  CHECK(float_to_half(std::nanf("")) == 0x7e00);
  CHECK(float_to_half(-INFINITY) == 0xfc00);
  // Every half value survives half -> float -> half.
  for (std::uint32_t h = 0; h < 0x10000u; ++h) {
    if ((h & 0x7c00u) == 0x7c00u && (h & 0x3ffu)) continue;  // NaN payloads
    const auto bits = static_cast<std::uint16_t>(h);
    if (float_to_half(half_to_float(bits)) != bits) FAIL("round trip of half " << h);
  }
  // Membrane voltages keep ~0.03 mV resolution.
  for (float v = -90.0f; v < 40.0f; v += 0.37f) CHECK(std::abs(half_to_float(float_to_half(v)) - v) <= 0.0625f / 2);
}

TEST_CASE("simulation parts round-trip and reject damaged files") {
  Fixture f;
  test::TempDir dir("parts");
  const InputProtocol protocol(f.protocol_config, f.cell, 11);
  const SimulationRecord rec = simulate_record(f.cell, protocol, 7, f.run, true);
  REQUIRE(rec.segment_v_f16.size() == f.cell.input_count() / 2 * 300);
  const std::string path = dir.file("sim.part");
  save_simulation_part(path, rec);
  const auto back = load_simulation_part(path);
  REQUIRE(back);
  CHECK(back->simulation_index == 7);
  CHECK(back->input_times_ms == rec.input_times_ms);
  CHECK(back->soma_v_8perms_mV == rec.soma_v_8perms_mV);
  CHECK(back->segment_v_f16 == rec.segment_v_f16);
  CHECK(back->output_spike_times_ms == rec.output_spike_times_ms);
  CHECK_FALSE(load_simulation_part(dir.file("absent.part")));
  // Truncated, and one flipped byte: refused, never half-read.
  const auto size = fs::file_size(path);
  fs::copy_file(path, dir.file("cut.part"));
  fs::resize_file(dir.file("cut.part"), size / 2);
  CHECK_FALSE(load_simulation_part(dir.file("cut.part")));
  fs::copy_file(path, dir.file("flip.part"));
  {
    std::fstream io(dir.file("flip.part"), std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(size - 10));
    char c = 0;
    io.read(&c, 1);
    io.seekp(static_cast<std::streamoff>(size - 10));
    c = static_cast<char>(c ^ 0x5a);
    io.write(&c, 1);
  }
  CHECK_FALSE(load_simulation_part(dir.file("flip.part")));
}

TEST_CASE("every segment's voltage is stored as float16 and matches the recorded dendrite") {
  Fixture f;
  test::TempDir dir("segments");
  const InputProtocol protocol(f.protocol_config, f.cell, 11);
  generate_dataset(dir.file("train.h5"), f.cell, protocol, f.header(0, 2), f.run, 2);
  const DatasetReader r(dir.file("train.h5"));
  REQUIRE(r.header().store_segment_voltages);
  const std::size_t S = r.header().segments.size();
  // Segment 50 of the geometry is the recorded dendrite; find its row.
  const std::vector<int> nodes = segment_table_nodes(f.cell);
  const auto row = static_cast<std::size_t>(std::find(nodes.begin(), nodes.end(), f.run.dendrite_node) - nodes.begin());
  REQUIRE(row < S);
  const SimulationRecord rec = r.read(1);
  const std::vector<float> all = r.read_segment_voltages(1);
  REQUIRE(all.size() == S * 300);
  for (std::size_t t = 0; t < 300; ++t)
    REQUIRE(all[row * 300 + t] == half_to_float(float_to_half(rec.dendrite_v_mV[t])));
  const std::vector<float> part = r.read_segment_voltages(1, 100, 50);
  REQUIRE(part.size() == S * 50);
  CHECK(part[row * 50 + 7] == all[row * 300 + 107]);
  CHECK_NOTHROW(verify_dataset(r));
}

TEST_CASE("an interrupted generation resumes from its parts and equals an uninterrupted one") {
  Fixture f;
  test::TempDir dir("resume");
  const InputProtocol protocol(f.protocol_config, f.cell, 11);
  generate_dataset(dir.file("whole.h5"), f.cell, protocol, f.header(0, 6), f.run, 2);

  const std::string path = dir.file("train.h5");
  struct Stop : std::runtime_error {
    Stop() : std::runtime_error("stop") {}
  };
  // The progress callback "kills" the run after 3 simulations are written.
  CHECK_THROWS_AS(generate_dataset(path, f.cell, protocol, f.header(0, 6), f.run, 2,
                                   [](std::size_t done, std::size_t) {
                                     if (done == 3) throw Stop();
                                   }),
                  Stop);
  CHECK_FALSE(fs::exists(path));
  CHECK(fs::exists(path + ".partial"));
  CHECK_THROWS_WITH(DatasetReader(path), Catch::Contains("incomplete"));
  std::size_t parts = 0;
  for (const auto& e : fs::directory_iterator(path + ".parts")) parts += e.path().extension() == ".part";
  CHECK(parts >= 3);

  // Resumed with lockstep batches of 4: batches mix saved and new simulations.
  const GenerationReport report = generate_dataset(path, f.cell, protocol, f.header(0, 6), f.run, 1, {}, 4);
  CHECK(report.resumed == parts);
  CHECK(report.resumed + report.simulated == 6);
  CHECK_FALSE(fs::exists(path + ".parts"));
  check_same_records(DatasetReader(path), DatasetReader(dir.file("whole.h5")));

  SECTION("parts made with other settings are not reused") {
    CHECK_THROWS_AS(generate_dataset(dir.file("other.h5"), f.cell, protocol, f.header(0, 4), f.run, 1,
                                     [](std::size_t done, std::size_t) {
                                       if (done == 2) throw Stop();
                                     }),
                    Stop);
    RunOptions finer = f.run;
    finer.dt_ms = 0.0125;
    const GenerationReport other = generate_dataset(dir.file("other.h5"), f.cell, protocol, f.header(0, 4), finer, 1);
    CHECK(other.resumed == 0);
    CHECK(other.simulated == 4);
  }
}

TEST_CASE("shards merge into the file an unsharded run writes") {
  Fixture f;
  test::TempDir dir("merge");
  const InputProtocol protocol(f.protocol_config, f.cell, 11);
  generate_dataset(dir.file("whole.h5"), f.cell, protocol, f.header(10, 5), f.run, 2);
  // Shards 10..11, 12..12, (empty), 13..14 of the split 10..14.
  generate_dataset(dir.file("s0.h5"), f.cell, protocol, f.header(10, 2, 10, 5), f.run, 1);
  generate_dataset(dir.file("s1.h5"), f.cell, protocol, f.header(12, 1, 10, 5), f.run, 1);
  generate_dataset(dir.file("s2.h5"), f.cell, protocol, f.header(13, 0, 10, 5), f.run, 1);
  generate_dataset(dir.file("s3.h5"), f.cell, protocol, f.header(13, 2, 10, 5), f.run, 1);
  merge_datasets({dir.file("s3.h5"), dir.file("s1.h5"), dir.file("s2.h5"), dir.file("s0.h5")}, dir.file("merged.h5"));
  const DatasetReader merged(dir.file("merged.h5"));
  CHECK(merged.header().split_first_simulation == 10);
  CHECK(merged.header().split_simulation_count == 5);
  CHECK(merged.header().shard_count == 1);
  check_same_records(merged, DatasetReader(dir.file("whole.h5")));
  CHECK(std::get<double>(merged.attribute("protocol.jitter_ms")) == 20.0);

  SECTION("a missing shard is named") {
    CHECK_THROWS_WITH(merge_datasets({dir.file("s0.h5"), dir.file("s3.h5")}, dir.file("bad.h5")),
                      Catch::Contains("simulations 12..12") && Catch::Contains("shard is missing"));
    CHECK_THROWS_WITH(merge_datasets({dir.file("s0.h5"), dir.file("s1.h5")}, dir.file("bad.h5")),
                      Catch::Contains("13..14"));
    CHECK_FALSE(fs::exists(dir.file("bad.h5")));
  }
  SECTION("overlapping shards are refused") {
    CHECK_THROWS_WITH(merge_datasets({dir.file("s0.h5"), dir.file("s1.h5"), dir.file("s3.h5"), dir.file("whole.h5")},
                                     dir.file("bad.h5")),
                      Catch::Contains("overlaps") || Catch::Contains("cannot be merged"));
  }
  SECTION("shards of another seed are refused") {
    const InputProtocol other(f.protocol_config, f.cell, 12);
    DatasetHeader h = f.header(12, 1, 10, 5);
    h.seed = 12;
    generate_dataset(dir.file("seed12.h5"), f.cell, other, h, f.run, 1);
    CHECK_THROWS_WITH(merge_datasets({dir.file("s0.h5"), dir.file("seed12.h5"), dir.file("s3.h5")}, dir.file("bad.h5")),
                      Catch::Contains("seed12.h5") && Catch::Contains("seed"));
  }
}

TEST_CASE("windows stream from the files and densify like the whole simulation") {
  Fixture f;
  test::TempDir dir("windows");
  const InputProtocol protocol(f.protocol_config, f.cell, 11);
  generate_dataset(dir.file("a.h5"), f.cell, protocol, f.header(0, 2), f.run, 2);
  generate_dataset(dir.file("b.h5"), f.cell, protocol, f.header(2, 3), f.run, 2);
  WindowSampling sampling;
  sampling.window_ms = 120;
  sampling.ignore_first_ms = 50;
  sampling.seed = 5;
  sampling.segment_voltages = true;
  const WindowReader windows({dir.file("a.h5"), dir.file("b.h5")}, sampling);
  CHECK(windows.simulation_count() == 5);
  const std::size_t C = windows.input_count();

  const DataWindow w = windows.read(1, 2, 130, 120);  // b.h5 row 2 = simulation 4
  const SimulationRecord whole = windows.file(1).read(2);
  // Dense input of the window = columns 130..249 of the whole simulation's dense input.
  std::vector<float> dense(C * 120);
  fill_dense_inputs(w, C, dense.data());
  std::vector<float> full(C * 300, 0.0f);
  for (std::size_t i = 0; i < whole.input_times_ms.size(); ++i)
    full[static_cast<std::size_t>(whole.input_channels[i]) * 300 + static_cast<std::size_t>(whole.input_times_ms[i])] = 1.0f;
  std::size_t mismatches = 0;
  for (std::size_t c = 0; c < C; ++c)
    for (std::size_t t = 0; t < 120; ++t) mismatches += dense[c * 120 + t] != full[c * 300 + 130 + t];
  CHECK(mismatches == 0);
  for (std::size_t t = 0; t < 120; ++t) REQUIRE(w.soma_v_mV[t] == whole.soma_v_mV[130 + t]);
  for (float s : w.output_spike_times_ms) CHECK((s >= 0 && s < 120.5f));
  CHECK(w.segment_v_mV.size() == C / 2 * 120);

  // Batches are a pure function of (seed, batch number).
  const auto b1 = windows.batch(3, 8), b2 = windows.batch(3, 8), b3 = windows.batch(4, 8);
  bool differs = false;
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(b1[i].file == b2[i].file);
    CHECK(b1[i].start_ms == b2[i].start_ms);
    CHECK(b1[i].input_channels == b2[i].input_channels);
    CHECK(b1[i].start_ms >= 50);
    CHECK(b1[i].start_ms + 120 <= 300);
    differs = differs || b1[i].start_ms != b3[i].start_ms || b1[i].simulation != b3[i].simulation;
  }
  CHECK(differs);
  // A process's share of a batch is that part of the whole batch.
  const auto share = windows.batch(3, 8, 2, 3);
  REQUIRE(share.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(share[i].start_ms == b1[2 + i].start_ms);
  // The decoded-simulation cache changes nothing: no cache, and one too
  // small for more than one simulation, give the same windows.
  for (std::size_t cache : {std::size_t{0}, std::size_t{40000}}) {
    WindowSampling uncached = sampling;
    uncached.cache_bytes = cache;
    const WindowReader again({dir.file("a.h5"), dir.file("b.h5")}, uncached);
    for (std::uint64_t n : {3, 4, 3}) {
      const auto x = again.batch(n, 8), y = windows.batch(n, 8);
      for (std::size_t i = 0; i < 8; ++i) {
        CHECK(x[i].input_times_ms == y[i].input_times_ms);
        CHECK(x[i].input_channels == y[i].input_channels);
        CHECK(x[i].soma_v_mV == y[i].soma_v_mV);
        CHECK(x[i].output_spike_times_ms == y[i].output_spike_times_ms);
      }
    }
  }
  CHECK_THROWS_WITH(windows.read(0, 0, 250, 120), Catch::Contains("a.h5") && Catch::Contains("out of range"));
  sampling.window_ms = 280;
  CHECK_THROWS_WITH(WindowReader({dir.file("a.h5")}, sampling), Catch::Contains("does not fit"));
}
