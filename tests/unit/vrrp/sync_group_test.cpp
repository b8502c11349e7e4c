// Sync groups: members move together; one member's FAULT holds the group in FAULT.
#include "vrrp/sync_group.hpp"

#include <doctest/doctest.h>

#include "harness.hpp"

using namespace vigil;
using namespace vigil::vrrp;
using namespace vigil::test;

namespace {

SyncGroup started_group() {
  auto a = basic_config(100);
  a.name = "VI_A";
  auto b = basic_config(100);
  b.name = "VI_B";
  b.vrid = 52;
  b.vips = {prefix("198.51.100.50/24")};
  SyncGroup group("G1", {a, b});
  for (std::size_t i = 0; i < group.size(); ++i) {
    (void)group.on(i, link_up(), t(0));
    (void)group.on(i, Started{}, t(0));
  }
  return group;
}

std::size_t count_for(const std::vector<MemberActions>& out, std::size_t member) {
  std::size_t n = 0;
  for (const auto& m : out) n += m.member == member ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("sync group: a member going MASTER takes the others along") {
  SyncGroup group = started_group();
  // B keeps hearing its master; A's master goes silent.
  (void)group.on(1, advert_from("192.0.2.1", 150), t(3));
  const auto out = group.on_timer(t(3.61));
  CHECK(group.member(0).state() == State::kMaster);
  CHECK(group.member(1).state() == State::kMaster);
  CHECK(count_for(out, 0) == 1);
  CHECK(count_for(out, 1) == 1);
  CHECK(group.state() == State::kMaster);
}

TEST_CASE("sync group: a member stepping down to BACKUP takes the masters along") {
  SyncGroup group = started_group();
  (void)group.on_timer(t(3.61));
  REQUIRE(group.member(1).state() == State::kMaster);
  (void)group.on(0, advert_from("192.0.2.1", 200), t(4));
  CHECK(group.member(0).state() == State::kBackup);
  CHECK(group.member(1).state() == State::kBackup);
}

TEST_CASE("sync group: one member's FAULT puts the group in FAULT, recovery together") {
  SyncGroup group = started_group();
  (void)group.on_timer(t(3.61));
  const auto out = group.on(1, InterfaceChanged{false, {}}, t(4));
  CHECK(group.member(0).state() == State::kFault);
  CHECK(group.member(1).state() == State::kFault);
  CHECK(group.member(0).faults().has(FaultReason::kSyncGroup));
  // Both masters left with a priority-0 advert.
  int zero_adverts = 0;
  for (const auto& m : out) {
    for (const auto& a : all_of<SendAdvert>(m.actions)) zero_adverts += a.advert.priority == 0 ? 1 : 0;
  }
  CHECK(zero_adverts == 2);
  // No member can become MASTER while the group is in FAULT.
  CHECK(group.on_timer(t(100)).empty());
  (void)group.on(1, link_up(), t(101));
  CHECK(group.member(0).state() == State::kBackup);
  CHECK(group.member(1).state() == State::kBackup);
}

TEST_CASE("sync group: a member started late joins a master group") {
  auto a = basic_config(100);
  auto b = basic_config(100);
  b.vrid = 52;
  SyncGroup group("G1", {a, b});
  (void)group.on(0, link_up(), t(0));
  (void)group.on(0, Started{}, t(0));
  (void)group.on_timer(t(3.61));
  REQUIRE(group.member(0).state() == State::kMaster);
  CHECK(group.member(1).state() == State::kInit);
  (void)group.on(1, link_up(), t(5));
  const auto out = group.on(1, Started{}, t(5));
  CHECK(group.member(1).state() == State::kMaster);
  CHECK(count_for(out, 1) == 2);  // BACKUP notify, then the takeover
}
