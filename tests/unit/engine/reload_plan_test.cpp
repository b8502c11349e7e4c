// plan_reload(): which instance and tracker keeps running, changes in place, restarts, goes or comes.
#include "engine/reload_plan.hpp"

#include <doctest/doctest.h>

#include <functional>

using namespace vigil;
using namespace vigil::engine;
using namespace std::chrono_literals;

namespace {

IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }

config::VrrpInstance instance(const std::string& name, std::uint8_t vrid, const char* vip) {
  config::VrrpInstance i;
  i.name = name;
  i.interface = "eth0";
  i.virtual_router_id = vrid;
  config::AddressEntry entry;
  entry.address = prefix(vip);
  i.virtual_ipaddress.push_back(entry);
  return i;
}

config::Command command(const char* line) {
  config::Command c;
  c.line = line;
  c.shell = "/bin/sh";
  return c;
}

config::UnicastPeer peer(const char* address) {
  config::UnicastPeer p;
  p.address = *IpAddress::parse(address);
  return p;
}

config::Config two_instances() {
  config::Config c;
  c.vrrp_instance["VI_1"] = instance("VI_1", 51, "192.0.2.51/24");
  c.vrrp_instance["VI_2"] = instance("VI_2", 52, "192.0.2.52/24");
  config::VrrpScript script;
  script.name = "chk";
  c.vrrp_script["chk"] = script;
  return c;
}

// Renames an instance (the map key and the name field) in place.
void rename(config::Config& c, const std::string& from, const std::string& to) {
  auto node = c.vrrp_instance.extract(from);
  node.key() = to;
  node.mapped().name = to;
  c.vrrp_instance.insert(std::move(node));
}

struct Case {
  const char* what;
  std::function<void(config::Config&)> edit;
  // Expected action per instance, by new name (or old name for removals).
  std::map<std::string, ReloadAction> expected;
  std::size_t refused = 0;
};

std::map<std::string, ReloadAction> actions_of(const ReloadPlan& plan) {
  std::map<std::string, ReloadAction> out;
  for (const auto& entry : plan.instances) {
    out[entry.action == ReloadAction::kRemove ? entry.old_name : entry.new_name] = entry.action;
  }
  return out;
}

}  // namespace

TEST_CASE("reload plan: instances, table-driven") {
  using A = ReloadAction;
  const std::vector<Case> cases = {
      {"nothing changes", [](config::Config&) {}, {{"VI_1", A::kUnchanged}, {"VI_2", A::kUnchanged}}},
      {"priority",
       [](config::Config& c) { c.vrrp_instance["VI_1"].priority = 90; },
       {{"VI_1", A::kInPlace}, {"VI_2", A::kUnchanged}}},
      {"advert interval",
       [](config::Config& c) { c.vrrp_instance["VI_2"].advert_int = 2s; },
       {{"VI_1", A::kUnchanged}, {"VI_2", A::kInPlace}}},
      {"preempt",
       [](config::Config& c) { c.vrrp_instance["VI_1"].preempt = false; },
       {{"VI_1", A::kInPlace}, {"VI_2", A::kUnchanged}}},
      {"notify command",
       [](config::Config& c) { c.vrrp_instance["VI_1"].notify_master = command("/bin/true"); },
       {{"VI_1", A::kInPlace}, {"VI_2", A::kUnchanged}}},
      {"tracker reference",
       [](config::Config& c) {
         c.vrrp_instance["VI_1"].track_script.push_back(config::TrackRef{"chk", -20, false});
       },
       {{"VI_1", A::kInPlace}, {"VI_2", A::kUnchanged}}},
      {"unicast peer list",
       [](config::Config& c) {
         c.vrrp_instance["VI_1"].unicast_peer.push_back(peer("192.0.2.9"));
         c.vrrp_instance["VI_1"].unicast_peer.push_back(peer("192.0.2.10"));
       },
       // Multicast -> unicast is another identity (keepalived's rule).
       {{"VI_1", A::kAdd}, {"VI_2", A::kUnchanged}}},
      {"VIP moved between instances",
       [](config::Config& c) {
         c.vrrp_instance["VI_2"].virtual_ipaddress.push_back(c.vrrp_instance["VI_1"].virtual_ipaddress.front());
         c.vrrp_instance["VI_1"].virtual_ipaddress.front().address = prefix("192.0.2.61/24");
       },
       {{"VI_1", A::kInPlace}, {"VI_2", A::kInPlace}}},
      {"rename only",
       [](config::Config& c) { rename(c, "VI_1", "web"); },
       {{"web", A::kUnchanged}, {"VI_2", A::kUnchanged}}},
      {"rename and priority",
       [](config::Config& c) {
         rename(c, "VI_1", "web");
         c.vrrp_instance["web"].priority = 120;
       },
       {{"web", A::kInPlace}, {"VI_2", A::kUnchanged}}},
      {"VRID change is remove + add",
       [](config::Config& c) { c.vrrp_instance["VI_1"].virtual_router_id = 61; },
       {{"VI_1", A::kAdd}, {"VI_2", A::kUnchanged}}},
      {"interface change is remove + add",
       [](config::Config& c) { c.vrrp_instance["VI_1"].interface = "eth1"; },
       {{"VI_1", A::kAdd}, {"VI_2", A::kUnchanged}}},
      {"version change restarts",
       [](config::Config& c) { c.vrrp_instance["VI_1"].version = 3; },
       {{"VI_1", A::kRestart}, {"VI_2", A::kUnchanged}}},
      {"use_vmac restarts",
       [](config::Config& c) { c.vrrp_instance["VI_2"].use_vmac = true; },
       {{"VI_1", A::kUnchanged}, {"VI_2", A::kRestart}}},
      {"removed",
       [](config::Config& c) { c.vrrp_instance.erase("VI_2"); },
       {{"VI_1", A::kUnchanged}, {"VI_2", A::kRemove}}},
      {"added",
       [](config::Config& c) { c.vrrp_instance["VI_3"] = instance("VI_3", 53, "192.0.2.53/24"); },
       {{"VI_1", A::kUnchanged}, {"VI_2", A::kUnchanged}, {"VI_3", A::kAdd}}},
      {"swap names: matched by identity, both renamed",
       [](config::Config& c) {
         rename(c, "VI_1", "tmp");
         rename(c, "VI_2", "VI_1");
         rename(c, "tmp", "VI_2");
       },
       {{"VI_1", A::kUnchanged}, {"VI_2", A::kUnchanged}}},
      {"new sync group restarts its members",
       [](config::Config& c) {
         config::VrrpSyncGroup group;
         group.name = "G";
         group.group = {"VI_1", "VI_2"};
         c.vrrp_sync_group["G"] = group;
       },
       {{"VI_1", A::kRestart}, {"VI_2", A::kRestart}}},
      {"a global the engine cannot take live",
       [](config::Config& c) { c.global.vrrp_rt_priority = 5; },
       {{"VI_1", A::kUnchanged}, {"VI_2", A::kUnchanged}},
       1},
      {"a notify FIFO's reader script, as the FIFO itself",
       [](config::Config& c) {
         c.global.vrrp_notify_fifo = "vrrp.fifo";
         config::Command reader;
         reader.kind = config::CommandKind::kExec;
         reader.argv = {"/usr/local/bin/read-fifo"};
         c.global.vrrp_notify_fifo_script = reader;
         c.global.notify_fifo_script = reader;
       },
       {{"VI_1", A::kUnchanged}, {"VI_2", A::kUnchanged}},
       3},
      {"a global VRRP does not use",
       [](config::Config& c) { c.global.router_id = "lb-2"; },
       {{"VI_1", A::kUnchanged}, {"VI_2", A::kUnchanged}}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const auto before = two_instances();
    auto after = before;
    c.edit(after);
    const auto plan = plan_reload(before, after);
    auto got = actions_of(plan);
    // A remove + add of the same name shows up as two entries: keep the add for the table.
    CHECK(got == c.expected);
    CHECK(plan.refused.size() == c.refused);
  }
}

TEST_CASE("reload plan: removals come first and a rename is logged and kept() maps new to old names") {
  auto before = two_instances();
  auto after = before;
  after.vrrp_instance.erase("VI_1");
  rename(after, "VI_2", "api");
  after.vrrp_instance["VI_0"] = instance("VI_0", 50, "192.0.2.50/24");
  const auto plan = plan_reload(before, after);
  REQUIRE(plan.instances.size() == 3);
  CHECK(plan.instances.front().action == ReloadAction::kRemove);
  CHECK(plan.instances.front().old_name == "VI_1");
  const auto* api = plan.find_new("api");
  REQUIRE(api != nullptr);
  CHECK(api->renamed());
  CHECK(api->changes == std::vector<std::string>{"renamed from VI_2"});
  CHECK(plan.kept() == std::map<std::string, std::string>{{"api", "VI_2"}});
  CHECK(plan.summary() == "1 unchanged, 0 changed in place, 0 restarted, 1 removed, 1 added");
}

TEST_CASE("reload plan: the changes name the settings") {
  auto before = two_instances();
  auto after = before;
  after.vrrp_instance["VI_1"].priority = 90;
  after.vrrp_instance["VI_1"].advert_int = 2s;
  const auto plan = plan_reload(before, after);
  const auto* vi1 = plan.find_new("VI_1");
  REQUIRE(vi1 != nullptr);
  CHECK(vi1->changes == std::vector<std::string>{"priority 100 -> 90", "advert_int 1s -> 2s"});
}

TEST_CASE("reload plan: a sync group whose member restarts restarts as a whole and an unchanged group stays") {
  auto before = two_instances();
  config::VrrpSyncGroup group;
  group.name = "G";
  group.group = {"VI_1", "VI_2"};
  before.vrrp_sync_group["G"] = group;
  SUBCASE("member restarts") {
    auto after = before;
    after.vrrp_instance["VI_1"].version = 3;
    const auto plan = plan_reload(before, after);
    CHECK(plan.find_new("VI_1")->action == ReloadAction::kRestart);
    CHECK(plan.find_new("VI_2")->action == ReloadAction::kRestart);
  }
  SUBCASE("group notify changes, members in place") {
    auto after = before;
    after.vrrp_sync_group["G"].notify_master = command("/bin/true");
    after.vrrp_instance["VI_2"].priority = 150;
    const auto plan = plan_reload(before, after);
    CHECK(plan.find_new("VI_1")->action == ReloadAction::kUnchanged);
    CHECK(plan.find_new("VI_2")->action == ReloadAction::kInPlace);
  }
  SUBCASE("member leaves the group") {
    auto after = before;
    after.vrrp_sync_group["G"].group = {"VI_1"};
    const auto plan = plan_reload(before, after);
    CHECK(plan.find_new("VI_1")->action == ReloadAction::kRestart);
    CHECK(plan.find_new("VI_2")->action == ReloadAction::kRestart);
  }
  SUBCASE("the group is renamed with the same members: both stay") {
    auto after = before;
    auto node = after.vrrp_sync_group.extract("G");
    node.key() = "H";
    node.mapped().name = "H";
    after.vrrp_sync_group.insert(std::move(node));
    const auto plan = plan_reload(before, after);
    CHECK(plan.find_new("VI_1")->action == ReloadAction::kUnchanged);
    CHECK(plan.find_new("VI_2")->action == ReloadAction::kUnchanged);
  }
}

TEST_CASE("reload plan: a standalone instance joining a sync group with another member restarts with it") {
  const auto before = two_instances();
  auto after = before;
  config::VrrpSyncGroup group;
  group.name = "G";
  group.group = {"VI_1", "VI_2"};
  after.vrrp_sync_group["G"] = group;
  const auto joined = plan_reload(before, after);
  CHECK(joined.find_new("VI_1")->action == ReloadAction::kRestart);
  CHECK(joined.find_new("VI_2")->action == ReloadAction::kRestart);
}

TEST_CASE("reload plan: trackers by name and definition") {
  auto before = two_instances();
  config::TrackFile file;
  file.name = "f";
  file.file = "/run/f";
  before.track_file["f"] = file;
  auto after = before;
  after.vrrp_script["chk"].weight = -10;
  after.track_file.erase("f");
  config::TrackProcess process;
  process.name = "p";
  process.process = "nginx";
  after.track_process["p"] = process;
  const auto plan = plan_reload(before, after);
  std::map<std::pair<track::TrackerKind, std::string>, ReloadAction> got;
  for (const auto& t : plan.trackers) got[{t.kind, t.name}] = t.action;
  CHECK(got == std::map<std::pair<track::TrackerKind, std::string>, ReloadAction>{
                   {{track::TrackerKind::kScript, "chk"}, ReloadAction::kRestart},
                   {{track::TrackerKind::kFile, "f"}, ReloadAction::kRemove},
                   {{track::TrackerKind::kProcess, "p"}, ReloadAction::kAdd}});
  // Unchanged definitions stay: same script, only the origin (file position) differs.
  auto moved = before;
  moved.vrrp_script["chk"].origin.where.line = 99;
  for (const auto& t : plan_reload(before, moved).trackers) CHECK(t.action == ReloadAction::kUnchanged);
}
