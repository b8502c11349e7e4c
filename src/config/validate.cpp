#include "config/validate.hpp"

#include <set>
#include <tuple>

namespace vigil::config {
namespace {

using schema::quote;

const char* family_name(Family family) { return family == Family::kIPv4 ? "IPv4" : "IPv6"; }

class Validator {
 public:
  Validator(Config& config, schema::BindContext& context) : config_(config), context_(context) {}

  void run() {
    resolve_global();
    resolve_commands();
    for (auto& [name, script] : config_.vrrp_script) check_script(name, script);
    for (auto& [name, process] : config_.track_process) check_process(name, process);
    for (auto& [name, instance] : config_.vrrp_instance) check_instance(name, instance);
    check_duplicate_vrids();
    for (auto& [name, group] : config_.vrrp_sync_group) check_sync_group(name, group);
    check_statics();
    for (auto& [name, group] : config_.virtual_server_group) check_vs_group(name, group);
    for (std::size_t i = 0; i < config_.virtual_server.size(); ++i) check_virtual_server(i, config_.virtual_server[i]);
  }

 private:
  [[nodiscard]] bool present(const std::string& path) const { return config_.locations.by_key_path.contains(path); }
  // Bound without error (present or not).
  [[nodiscard]] bool ok(const std::string& path) const { return !context_.failed(path); }
  [[nodiscard]] SourceLocation where(const std::string& path) const { return config_.locations.find(path); }
  void error(const std::string& path, std::string message) { context_.error(where(path), path, std::move(message)); }
  void warning(const std::string& path, std::string message) {
    context_.warning(where(path), path, std::move(message));
  }

  void resolve_global() {
    auto& global = config_.global;
    if (!present("global.smtp_alert_vrrp")) global.smtp_alert_vrrp = global.smtp_alert;
    if (!present("global.smtp_alert_checker")) global.smtp_alert_checker = global.smtp_alert;
    if (global.lvs_notify_fifo_script && !global.lvs_notify_fifo && ok("global.lvs_notify_fifo_script")) {
      error("global.lvs_notify_fifo_script", "lvs_notify_fifo_script needs lvs_notify_fifo (the FIFO it reads)");
    }
    if (global.notify_fifo_script && !global.notify_fifo && ok("global.notify_fifo_script")) {
      error("global.notify_fifo_script", "notify_fifo_script needs notify_fifo (the FIFO it reads)");
    }
    if (global.vrrp_notify_fifo_script && !global.vrrp_notify_fifo && ok("global.vrrp_notify_fifo_script")) {
      error("global.vrrp_notify_fifo_script", "vrrp_notify_fifo_script needs vrrp_notify_fifo (the FIFO it reads)");
    }
    if (!present("global.vrrp_garp_lower_prio_delay"))
      global.vrrp_garp_lower_prio_delay = global.vrrp_garp_master_delay;
    if (!present("global.vrrp_garp_lower_prio_repeat")) {
      global.vrrp_garp_lower_prio_repeat = global.vrrp_garp_master_repeat;
    }
    for (std::size_t i = 0; i < global.notification_email.size(); ++i) {
      const auto& address = global.notification_email[i];
      if (!ok(schema::index_path("global.notification_email", i))) continue;
      const auto at = address.find('@');
      if (at == std::string::npos || at == 0 || at + 1 == address.size()) {
        error(schema::index_path("global.notification_email", i), "not an email address: " + quote(address));
      }
    }
    if (global.notification_email_from && global.notification_email_from->find('@') == std::string::npos &&
        ok("global.notification_email_from")) {
      error("global.notification_email_from", "not an email address: " + quote(*global.notification_email_from));
    }
    if (!global.vrrp_mcast_group4.is_v4() || !global.vrrp_mcast_group4.is_multicast()) {
      if (ok("global.vrrp_mcast_group4")) error("global.vrrp_mcast_group4", "must be an IPv4 multicast address");
    }
    if (!global.vrrp_mcast_group6.is_v6() || !global.vrrp_mcast_group6.is_multicast()) {
      if (ok("global.vrrp_mcast_group6")) error("global.vrrp_mcast_group6", "must be an IPv6 multicast address");
    }
  }

  void resolve(std::optional<Command>& command) {
    if (command) resolve(*command);
  }
  void resolve(Command& command) {
    if (command.kind == CommandKind::kShell && command.shell.empty()) command.shell = config_.global.script_shell;
  }

  void resolve_commands() {
    auto& global = config_.global;
    resolve(global.startup_script);
    resolve(global.shutdown_script);
    resolve(global.lvs_notify_fifo_script);
    resolve(global.notify_fifo_script);
    resolve(global.vrrp_notify_fifo_script);
    for (auto& [name, script] : config_.vrrp_script) resolve(script.script);
    for (auto& [name, instance] : config_.vrrp_instance) {
      for (auto* command : {&instance.notify_master, &instance.notify_backup, &instance.notify_fault,
                            &instance.notify_stop, &instance.notify_master_rx_lower_pri, &instance.notify}) {
        resolve(*command);
      }
    }
    for (auto& [name, group] : config_.vrrp_sync_group) {
      for (auto* command :
           {&group.notify_master, &group.notify_backup, &group.notify_fault, &group.notify_stop, &group.notify}) {
        resolve(*command);
      }
    }
    for (auto& service : config_.virtual_server) {
      resolve(service.quorum_up);
      resolve(service.quorum_down);
      for (auto& server : service.real_server) {
        resolve(server.notify_up);
        resolve(server.notify_down);
        for (auto& check : server.misc_check) resolve(check.misc_path);
      }
    }
  }

  void check_script(const std::string& name, VrrpScript& script) {
    const std::string base = "vrrp_script." + name;
    if (!present(base + ".timeout")) script.timeout = script.interval;
  }

  void check_process(const std::string& name, const TrackProcess& process) {
    const std::string base = "track_process." + name;
    if (process.quorum_max && *process.quorum_max < process.quorum && ok(base + ".quorum")) {
      error(base + ".quorum_max", "must be at least quorum (" + std::to_string(process.quorum) + "), got " +
                                      std::to_string(*process.quorum_max));
    }
  }

  // Family of every address in a list must equal `family`.
  void check_entry_families(const std::string& path, const std::vector<AddressEntry>& entries, Family family,
                            const std::string& why) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (!ok(schema::index_path(path, i)) || !ok(schema::index_path(path, i) + ".address")) continue;
      if (entries[i].address.address.family() != family) {
        error(schema::index_path(path, i), entries[i].address.to_string() + " is " +
                                               family_name(entries[i].address.address.family()) + ", but " + why);
      }
    }
  }

  void check_route(const std::string& path, RouteEntry& route) {
    std::optional<Family> family;
    std::string first;
    auto take = [&](const std::optional<IpAddress>& address, const std::string& key) {
      if (!address) return;
      if (!family) {
        family = address->family();
        first = key;
      } else if (*family != address->family()) {
        error(path + "." + key,
              key + " is " + family_name(address->family()) + " but " + first + " is " + family_name(*family));
      }
    };
    if (route.to) take(route.to->address, "to");
    take(route.via, "via");
    take(route.src, "src");
    route.family = family.value_or(Family::kIPv4);
    if (route.type == RouteType::kUnicast && !route.via && !route.dev && ok(path + ".to")) {
      error(path, "a unicast route needs via or dev");
    }
  }

  void check_rule(const std::string& path, RuleEntry& rule) {
    std::optional<Family> family;
    if (rule.from) family = rule.from->address.family();
    if (rule.to) {
      if (family && *family != rule.to->address.family()) {
        error(path + ".to",
              std::string("to is ") + family_name(rule.to->address.family()) + " but from is " + family_name(*family));
      }
      family = rule.to->address.family();
    }
    if (family) {
      if (present(path + ".family") && rule.family != *family) {
        error(path + ".family",
              std::string("family does not match the rule's addresses (") + family_name(*family) + ")");
      }
      rule.family = *family;
    }
    if (rule.action == RuleAction::kToTable && !rule.table) error(path, "a rule with action \"to_table\" needs table");
  }

  void check_refs(const std::string& path, const std::vector<TrackRef>& refs, const std::string& kind,
                  const std::vector<std::string>& names, std::int32_t max_weight) {
    for (std::size_t i = 0; i < refs.size(); ++i) {
      const std::string item = schema::index_path(path, i);
      const TrackRef& ref = refs[i];
      const bool named_object = kind != "interface";  // interfaces are checked on the host (check_host)
      if (named_object && ok(item) && ok(item + ".name") &&
          std::find(names.begin(), names.end(), ref.name) == names.end()) {
        std::string message = "no " + kind + " named " + quote(ref.name);
        if (const auto hint = schema::suggest(ref.name, names)) message += " (did you mean " + quote(*hint) + "?)";
        error(item, std::move(message));
      }
      if (ref.weight && (*ref.weight < -max_weight || *ref.weight > max_weight)) {
        error(item + ".weight", "must be " + std::to_string(-max_weight) + ".." + std::to_string(max_weight) +
                                    ", got " + std::to_string(*ref.weight));
      }
    }
  }

  template <class Map>
  static std::vector<std::string> names_of(const Map& map) {
    std::vector<std::string> names;
    for (const auto& [name, value] : map) names.push_back(name);
    return names;
  }

  void check_trackers(const std::string& base, const std::vector<TrackRef>& scripts,
                      const std::vector<TrackRef>& interfaces, const std::vector<TrackRef>& files,
                      const std::vector<TrackRef>& processes) {
    check_refs(base + ".track_script", scripts, "vrrp_script", names_of(config_.vrrp_script), 253);
    check_refs(base + ".track_interface", interfaces, "interface", {}, 254);
    check_refs(base + ".track_file", files, "track_file", names_of(config_.track_file), 2147483647);
    check_refs(base + ".track_process", processes, "track_process", names_of(config_.track_process), 254);
  }

  void check_instance(const std::string& name, VrrpInstance& instance) {
    const std::string base = "vrrp_instance." + name;
    const auto& global = config_.global;

    // Family: from the VIPs, else from the source/peer addresses.
    std::string family_source = "virtual_ipaddress";
    const std::string first_vip = base + ".virtual_ipaddress[0]";
    if (!instance.virtual_ipaddress.empty() && ok(first_vip) && ok(first_vip + ".address")) {
      instance.family = instance.virtual_ipaddress.front().address.address.family();
    } else if (instance.unicast_src_ip) {
      instance.family = instance.unicast_src_ip->family();
      family_source = "unicast_src_ip";
    } else if (instance.mcast_src_ip) {
      instance.family = instance.mcast_src_ip->family();
      family_source = "mcast_src_ip";
    } else if (!instance.unicast_peer.empty()) {
      instance.family = instance.unicast_peer.front().address.family();
      family_source = "unicast_peer";
    }
    const std::string why =
        std::string("the instance is ") + family_name(instance.family) + " (from its " + family_source + ")";
    check_entry_families(base + ".virtual_ipaddress", instance.virtual_ipaddress, instance.family,
                         "virtual_ipaddress must be one family and " + why);
    auto check_address = [&](const std::optional<IpAddress>& address, const std::string& key) {
      if (address && address->family() != instance.family) {
        error(base + "." + key, address->to_string() + " is " + family_name(address->family()) + ", but " + why);
      }
    };
    check_address(instance.unicast_src_ip, "unicast_src_ip");
    check_address(instance.mcast_src_ip, "mcast_src_ip");
    for (std::size_t i = 0; i < instance.unicast_peer.size(); ++i) {
      const auto& peer = instance.unicast_peer[i];
      const std::string item = schema::index_path(base + ".unicast_peer", i);
      if (!ok(item) || !ok(item + ".address")) continue;
      if (peer.address.family() != instance.family) {
        error(item, peer.address.to_string() + " is " + family_name(peer.address.family()) + ", but " + why);
      }
      if (peer.min_ttl && peer.max_ttl && *peer.min_ttl > *peer.max_ttl) {
        error(item + ".max_ttl", "must be at least min_ttl (" + std::to_string(*peer.min_ttl) + ")");
      }
    }
    if (instance.virtual_ipaddress.size() > 255) {
      error(base + ".virtual_ipaddress", "at most 255 addresses fit in an advert, got " +
                                             std::to_string(instance.virtual_ipaddress.size()) +
                                             " (put the rest in virtual_ipaddress_excluded)");
    }
    if (instance.mcast_src_ip && instance.is_unicast()) {
      error(base + ".mcast_src_ip", "a unicast instance (unicast_peer) uses unicast_src_ip, not mcast_src_ip");
    }
    if (instance.unicast_src_ip && !instance.is_unicast() && ok(base + ".unicast_peer")) {
      error(base + ".unicast_src_ip", "unicast_src_ip needs unicast_peer (without peers the instance is multicast)");
    }

    // Version: IPv6 is always v3.
    if (present(base + ".version")) {
      if (instance.version == 2 && instance.family == Family::kIPv6 && ok(base + ".version")) {
        error(base + ".version", "VRRP version 2 does not support IPv6; use version = 3");
      }
    } else {
      instance.version = instance.family == Family::kIPv6 ? 3 : global.vrrp_version;
    }

    // Advert interval in the version's unit (RFC 3768: seconds; RFC 5798 §5.2.7: centiseconds).
    if (ok(base + ".advert_int")) {
      const auto ns = instance.advert_int.count();
      if (instance.version == 2 && (ns % 1'000'000'000 != 0 || ns < 1'000'000'000)) {
        error(base + ".advert_int", "VRRPv2 needs whole seconds 1..255, got " + format_duration(instance.advert_int));
      } else if (instance.version == 3 && (ns % 10'000'000 != 0 || ns > 40'950'000'000)) {
        error(base + ".advert_int",
              "VRRPv3 needs a multiple of 10ms, 10ms..40.95s, got " + format_duration(instance.advert_int));
      }
    }

    // Priority: keepalived's rule, 255 when MASTER and no priority is given.
    if (!present(base + ".priority") && instance.state == InitialState::kMaster) {
      instance.priority = 255;
      warning(base + ".state",
              "state = \"MASTER\" without priority: priority is 255 (address owner), as in keepalived; "
              "set priority to choose another");
    }

    if (instance.authentication && (instance.version != 2 || instance.family != Family::kIPv4) &&
        ok(base + ".version")) {
      error(base + ".authentication", "authentication is only for VRRP version 2 over IPv4 (this instance is " +
                                          std::string(family_name(instance.family)) + " version " +
                                          std::to_string(instance.version) + ")");
    }

    const bool master = instance.state == InitialState::kMaster;
    if (!instance.preempt && ok(base + ".preempt")) {
      if (master && ok(base + ".state")) {
        error(base + ".preempt", "preempt = false cannot work with state = \"MASTER\"; use state = \"BACKUP\"");
      } else if (instance.priority == 255) {
        error(base + ".preempt", "an address owner (priority 255) always preempts; preempt = false cannot apply");
      }
    }
    if (instance.preempt_delay.count() > 0 && ok(base + ".preempt_delay")) {
      if (!instance.preempt) {
        error(base + ".preempt_delay", "preempt_delay needs preempt = true");
      } else if (master && ok(base + ".state")) {
        error(base + ".preempt_delay", "preempt_delay cannot work with state = \"MASTER\"; use state = \"BACKUP\"");
      }
    }

    if (!instance.interface && !(instance.is_unicast() && instance.unicast_src_ip) && ok(base + ".interface")) {
      error(base + ".interface",
            "missing required key \"interface\" (only a unicast instance with unicast_src_ip may omit it)");
    }
    if (instance.vmac_name && !instance.use_vmac) error(base + ".vmac_name", "vmac_name needs use_vmac = true");
    if (instance.vmac_xmit_base && !instance.use_vmac) {
      error(base + ".vmac_xmit_base", "vmac_xmit_base needs use_vmac = true");
    }

    // Defaults inherited from [global].
    if (!present(base + ".garp_master_delay")) instance.garp_master_delay = global.vrrp_garp_master_delay;
    if (!present(base + ".garp_master_repeat")) instance.garp_master_repeat = global.vrrp_garp_master_repeat;
    if (!present(base + ".garp_master_refresh")) instance.garp_master_refresh = global.vrrp_garp_master_refresh;
    if (!present(base + ".garp_master_refresh_repeat")) {
      instance.garp_master_refresh_repeat = global.vrrp_garp_master_refresh_repeat;
    }
    if (!present(base + ".garp_lower_prio_delay")) instance.garp_lower_prio_delay = global.vrrp_garp_lower_prio_delay;
    if (!present(base + ".garp_lower_prio_repeat")) {
      instance.garp_lower_prio_repeat = global.vrrp_garp_lower_prio_repeat;
    }
    if (!present(base + ".check_unicast_src")) instance.check_unicast_src = global.vrrp_check_unicast_src;
    if (!present(base + ".lower_prio_no_advert")) instance.lower_prio_no_advert = global.vrrp_lower_prio_no_advert;
    if (!present(base + ".higher_prio_send_advert")) {
      instance.higher_prio_send_advert = global.vrrp_higher_prio_send_advert;
    }
    if (!present(base + ".skip_check_adv_addr")) instance.skip_check_adv_addr = global.vrrp_skip_check_adv_addr;
    if (!present(base + ".v3_checksum_as_v2")) instance.v3_checksum_as_v2 = global.v3_checksum_as_v2;
    if (!present(base + ".smtp_alert")) instance.smtp_alert = global.smtp_alert_vrrp;

    check_trackers(base, instance.track_script, instance.track_interface, instance.track_file, instance.track_process);
    for (std::size_t i = 0; i < instance.virtual_routes.size(); ++i) {
      check_route(schema::index_path(base + ".virtual_routes", i), instance.virtual_routes[i]);
    }
    for (std::size_t i = 0; i < instance.virtual_rules.size(); ++i) {
      check_rule(schema::index_path(base + ".virtual_rules", i), instance.virtual_rules[i]);
    }
  }

  void check_duplicate_vrids() {
    std::map<std::tuple<std::string, int, Family>, std::string> owners;
    for (const auto& [name, instance] : config_.vrrp_instance) {
      const std::string base = "vrrp_instance." + name;
      if (!ok(base + ".virtual_router_id") || instance.virtual_router_id == 0) continue;
      const auto key =
          std::make_tuple(instance.interface.value_or(""), int{instance.virtual_router_id}, instance.family);
      const auto [it, inserted] = owners.emplace(key, name);
      if (!inserted) {
        error(base + ".virtual_router_id",
              "VRID " + std::to_string(instance.virtual_router_id) + " on " +
                  (instance.interface ? *instance.interface : std::string("no interface")) + " (" +
                  family_name(instance.family) + ") is already used by vrrp_instance " + it->second);
      }
    }
  }

  template <class Map>
  static std::int32_t tracker_weight(const TrackRef& ref, const Map& objects) {
    if (ref.weight) return *ref.weight;
    if (const auto it = objects.find(ref.name); it != objects.end()) return it->second.weight;
    return 0;
  }

  void check_sync_group(const std::string& name, VrrpSyncGroup& group) {
    const std::string base = "vrrp_sync_group." + name;
    const auto instances = names_of(config_.vrrp_instance);
    for (std::size_t i = 0; i < group.group.size(); ++i) {
      const std::string& member = group.group[i];
      const std::string item = schema::index_path(base + ".group", i);
      if (!ok(item)) continue;
      const auto it = config_.vrrp_instance.find(member);
      if (it == config_.vrrp_instance.end()) {
        std::string message = "no vrrp_instance named " + quote(member);
        if (const auto hint = schema::suggest(member, instances)) message += " (did you mean " + quote(*hint) + "?)";
        error(item, std::move(message));
        continue;
      }
      if (const auto [owner, inserted] = group_of_.emplace(member, name); !inserted && owner->second != name) {
        error(item, "vrrp_instance " + member + " is already in vrrp_sync_group " + owner->second);
      }
      if (!group.sync_group_tracking_weight) {
        const VrrpInstance& instance = it->second;
        auto check = [&](const std::vector<TrackRef>& refs, const auto& objects) {
          for (const auto& ref : refs) {
            if (const std::int32_t weight = tracker_weight(ref, objects); weight != 0) {
              error(item, "member " + member + " tracks " + ref.name + " with weight " + std::to_string(weight) +
                              ": weights of sync group members need sync_group_tracking_weight = true");
            }
          }
        };
        check(instance.track_script, config_.vrrp_script);
        check(instance.track_file, config_.track_file);
        check(instance.track_process, config_.track_process);
      }
    }
    if (!present(base + ".smtp_alert")) group.smtp_alert = config_.global.smtp_alert_vrrp;
    check_trackers(base, group.track_script, group.track_interface, group.track_file, group.track_process);
    for (auto* command :
         {&group.notify_master, &group.notify_backup, &group.notify_fault, &group.notify_stop, &group.notify}) {
      resolve(*command);
    }
  }

  void check_statics() {
    for (std::size_t i = 0; i < config_.static_ipaddress.size(); ++i) {
      const auto& entry = config_.static_ipaddress[i];
      if (!entry.dev && !config_.global.default_interface) {
        error(schema::index_path("static_ipaddress", i),
              "a static address needs dev (or set global.default_interface)");
      }
    }
    for (std::size_t i = 0; i < config_.static_routes.size(); ++i) {
      check_route(schema::index_path("static_routes", i), config_.static_routes[i]);
    }
    for (std::size_t i = 0; i < config_.static_rules.size(); ++i) {
      check_rule(schema::index_path("static_rules", i), config_.static_rules[i]);
    }
  }

  void check_vs_group(const std::string& name, const VirtualServerGroup& group) {
    const std::string base = "virtual_server_group." + name;
    for (std::size_t i = 0; i < group.members.size(); ++i) {
      const auto& member = group.members[i];
      const std::string item = schema::index_path(base + ".members", i);
      if (member.ip.has_value() == member.fwmark.has_value() && ok(item + ".ip") && ok(item + ".fwmark")) {
        error(item, "a member needs exactly one of ip (with port) or fwmark (with family)");
      }
      if (member.ip && present(item + ".family")) error(item + ".family", "family is only for fwmark members");
      if (member.fwmark && present(item + ".port")) error(item + ".port", "port is only for ip members");
    }
  }

  void check_virtual_server(std::size_t index, VirtualServer& service) {
    const std::string base = schema::index_path("virtual_server", index);
    const int identities =
        int{service.ip.has_value()} + int{service.fwmark.has_value()} + int{service.group.has_value()};
    if (identities != 1 && ok(base + ".ip") && ok(base + ".fwmark") && ok(base + ".group")) {
      error(base, "a virtual_server needs exactly one of ip (with port), fwmark or group");
    }
    if (service.ip) {
      service.ip_family = service.ip->family();
      if (!service.port && ok(base + ".port")) error(base + ".port", "missing required key \"port\" (with ip)");
      if (present(base + ".ip_family")) error(base + ".ip_family", "ip_family is only for fwmark services");
    }
    if (service.port && !service.ip && ok(base + ".port")) error(base + ".port", "port needs ip");
    if (service.port == 0 && service.ip && !service.persistence_timeout) {
      error(base + ".port", "port 0 (all ports) needs persistence_timeout");
    }
    if (service.group && !config_.virtual_server_group.contains(*service.group) && ok(base + ".group")) {
      std::string message = "no virtual_server_group named " + quote(*service.group);
      if (const auto hint = schema::suggest(*service.group, names_of(config_.virtual_server_group))) {
        message += " (did you mean " + quote(*hint) + "?)";
      }
      error(base + ".group", std::move(message));
    }
    if (service.tunnel_type == TunnelType::kGue && !service.tunnel_port) {
      error(base + ".tunnel_port", "tunnel_type = \"gue\" needs tunnel_port");
    }
    if (service.persistence_granularity && service.ip_family == Family::kIPv4 &&
        *service.persistence_granularity > 32) {
      error(base + ".persistence_granularity",
            "must be 0..32 for an IPv4 service, got " + std::to_string(*service.persistence_granularity));
    }
    if (service.hysteresis > 0 && service.hysteresis >= service.quorum) {
      error(base + ".hysteresis", "must be less than quorum (" + std::to_string(service.quorum) + ")");
    }
    if (!present(base + ".smtp_alert")) service.smtp_alert = config_.global.smtp_alert_checker;
    if (service.sorry_server && service.ip && service.sorry_server->ip.family() != service.ip_family) {
      error(base + ".sorry_server.ip", "sorry_server is " +
                                           std::string(family_name(service.sorry_server->ip.family())) +
                                           " but the service is " + family_name(service.ip_family));
    }
    std::set<std::pair<IpAddress, std::uint16_t>> seen;
    for (std::size_t i = 0; i < service.real_server.size(); ++i) {
      auto& server = service.real_server[i];
      const std::string item = schema::index_path(base + ".real_server", i);
      if (!service.group && server.ip.family() != service.ip_family && ok(item + ".ip")) {
        error(item + ".ip", server.ip.to_string() + " is " + family_name(server.ip.family()) + " but the service is " +
                                family_name(service.ip_family));
      }
      const std::uint16_t port = server.port.value_or(service.port.value_or(0));
      if (!seen.emplace(server.ip, port).second) {
        error(item, "real server " + server.ip.to_string() + " port " + std::to_string(port) +
                        " is listed twice in this virtual_server");
      }
      for (std::size_t k = 0; k < server.file_check.size(); ++k) {
        const auto& check = server.file_check[k];
        const std::string check_path = schema::index_path(item + ".file_check", k) + ".track_file";
        if (!config_.track_file.contains(check.track_file) && ok(check_path)) {
          std::string message = "no track_file named " + quote(check.track_file);
          if (const auto hint = schema::suggest(check.track_file, names_of(config_.track_file))) {
            message += " (did you mean " + quote(*hint) + "?)";
          }
          error(check_path, std::move(message));
        }
      }
      for (auto* checks : {&server.http_get, &server.ssl_get}) {
        for (auto& check : *checks) {
          for (auto& url : check.url) {
            if (url.status_code.empty()) url.status_code.push_back(StatusRange{200, 299});
          }
        }
      }
      for (std::size_t k = 0; k < server.udp_check.size(); ++k) {
        const auto& check = server.udp_check[k];
        if (check.min_reply_length > check.max_reply_length) {
          error(schema::index_path(item + ".udp_check", k) + ".max_reply_length", "must be at least min_reply_length");
        }
      }
    }
  }

  Config& config_;
  schema::BindContext& context_;
  std::map<std::string, std::string> group_of_;  // instance -> sync group
};

}  // namespace

void resolve_and_validate(Config& config, schema::BindContext& context) { Validator(config, context).run(); }

}  // namespace vigil::config
