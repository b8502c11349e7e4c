// Weight semantics of track_script / track_interface / track_process / track_file, as tables.
#include "track/tracker.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace vigil::track;

TEST_CASE("track: contribution of one up/down tracker") {
  struct Row {
    int weight;
    bool reverse;
    bool up;
    Contribution expected;
  };
  const Row rows[] = {
      // positive weight: added while up
      {10, false, true, {10, false}},
      {10, false, false, {0, false}},
      // negative weight: subtracted while down
      {-10, false, true, {0, false}},
      {-10, false, false, {-10, false}},
      // reverse: the direction flips (decrease while up / increase while down)
      {10, true, true, {-10, false}},
      {10, true, false, {0, false}},
      {-10, true, true, {0, false}},
      {-10, true, false, {10, false}},
      // unweighted: FAULT while down; with reverse, while up
      {0, false, true, {0, false}},
      {0, false, false, {0, true}},
      {0, true, true, {0, true}},
      {0, true, false, {0, false}},
      // weights beyond ±253 are clamped
      {300, false, true, {253, false}},
      {-300, false, false, {-253, false}},
  };
  for (const auto kind : {TrackerKind::kScript, TrackerKind::kInterface, TrackerKind::kProcess}) {
    for (const auto& row : rows) {
      CAPTURE(to_string(kind));
      CAPTURE(row.weight);
      CAPTURE(row.reverse);
      CAPTURE(row.up);
      const TrackerConfig config{"t", kind, row.weight, row.reverse};
      CHECK(contribution(config, TrackerStatus{row.up, 0}) == row.expected);
    }
  }
}

TEST_CASE("track: track_file value × weight") {
  struct Row {
    int weight;
    bool reverse;
    std::int64_t value;
    Contribution expected;
  };
  const Row rows[] = {
      {0, false, 0, {0, false}},       {0, false, 7, {0, true}},       // weight 0: non-zero is a failure
      {1, false, 20, {20, false}},     {-2, false, 20, {-40, false}},  // value × weight
      {2, true, 20, {-40, false}},                                     // reverse negates
      {1, false, -253, {-253, false}}, {1, false, -254, {0, true}},    // below -253: FAULT
      {254, false, -1, {-254, true}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.weight);
    CAPTURE(row.value);
    const TrackerConfig config{"f", TrackerKind::kFile, row.weight, row.reverse};
    const auto c = contribution(config, TrackerStatus{true, row.value});
    CHECK(c.fault == row.expected.fault);
    if (!row.expected.fault) CHECK(c.weight == row.expected.weight);
  }
}

TEST_CASE("track: summary and effective priority") {
  const std::vector<TrackedObject> objects = {
      {{"chk_haproxy", TrackerKind::kScript, 2, false}, {true, 0}},
      {{"eth1", TrackerKind::kInterface, -20, false}, {false, 0}},
      {{"load", TrackerKind::kFile, 1, false}, {true, 5}},
  };
  const auto summary = summarize(objects);
  CHECK(summary == TrackSummary{-13, false});
  CHECK(effective_priority(100, summary) == 87);

  struct Row {
    std::uint8_t base;
    int weight;
    std::uint8_t expected;
  };
  for (const auto& row : {Row{100, 0, 100}, Row{100, 200, 254}, Row{100, -200, 1}, Row{255, -50, 255},
                          Row{255, 50, 255}, Row{254, 5, 254}, Row{1, -1, 1}}) {
    CAPTURE(static_cast<int>(row.base));
    CAPTURE(row.weight);
    CHECK(effective_priority(row.base, TrackSummary{row.weight, false}) == row.expected);
  }

  const std::vector<TrackedObject> faulty = {
      {{"chk", TrackerKind::kScript, 0, false}, {false, 0}},
      {{"eth1", TrackerKind::kInterface, 10, false}, {true, 0}},
  };
  CHECK(summarize(faulty) == TrackSummary{10, true});
  CHECK(summarize({}) == TrackSummary{0, false});
}

TEST_CASE("track: process quorum") {
  CHECK(process_quorum_up(1, 1));
  CHECK_FALSE(process_quorum_up(0, 1));
  CHECK(process_quorum_up(3, 2, 3));
  CHECK_FALSE(process_quorum_up(4, 2, 3));
  CHECK(process_quorum_up(0, 0, 0));  // quorum_max 0: up only while nothing runs
  CHECK_FALSE(process_quorum_up(1, 0, 0));
  CHECK(std::string(to_string(TrackerKind::kFile)) == "file");
}
