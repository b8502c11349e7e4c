// Host checks for `vigild --check`: only warnings, so a config validates on any machine.
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "config/loader.hpp"
#include "config/schema.hpp"

namespace vigil::config {
namespace {

class HostChecker {
 public:
  explicit HostChecker(const Config& config) : config_(config) {}

  std::vector<Diagnostic> run() {
    const auto& global = config_.global;
    if (global.default_interface) interface(*global.default_interface, "global.default_interface");
    command(global.startup_script, "global.startup_script");
    command(global.shutdown_script, "global.shutdown_script");
    command(global.lvs_notify_fifo_script, "global.lvs_notify_fifo_script");
    command(global.notify_fifo_script, "global.notify_fifo_script");
    command(global.vrrp_notify_fifo_script, "global.vrrp_notify_fifo_script");
    if (!executable(global.script_shell)) {
      warn("global.script_shell", "script_shell " + global.script_shell + " is not an executable file on this host");
    }
    for (const auto& [name, script] : config_.vrrp_script) command(script.script, "vrrp_script." + name + ".script");
    for (const auto& [name, instance] : config_.vrrp_instance) {
      const std::string base = "vrrp_instance." + name;
      if (instance.interface) interface(*instance.interface, base + ".interface");
      for (std::size_t i = 0; i < instance.track_interface.size(); ++i) {
        interface(instance.track_interface[i].name, schema::index_path(base + ".track_interface", i));
      }
      addresses(instance.virtual_ipaddress, base + ".virtual_ipaddress");
      addresses(instance.virtual_ipaddress_excluded, base + ".virtual_ipaddress_excluded");
      command(instance.notify_master, base + ".notify_master");
      command(instance.notify_backup, base + ".notify_backup");
      command(instance.notify_fault, base + ".notify_fault");
      command(instance.notify_stop, base + ".notify_stop");
      command(instance.notify_master_rx_lower_pri, base + ".notify_master_rx_lower_pri");
      command(instance.notify, base + ".notify");
    }
    for (const auto& [name, group] : config_.vrrp_sync_group) {
      const std::string base = "vrrp_sync_group." + name;
      command(group.notify_master, base + ".notify_master");
      command(group.notify_backup, base + ".notify_backup");
      command(group.notify_fault, base + ".notify_fault");
      command(group.notify_stop, base + ".notify_stop");
      command(group.notify, base + ".notify");
    }
    addresses(config_.static_ipaddress, "static_ipaddress");
    for (std::size_t i = 0; i < config_.virtual_server.size(); ++i) {
      const auto& service = config_.virtual_server[i];
      const std::string base = schema::index_path("virtual_server", i);
      command(service.quorum_up, base + ".quorum_up");
      command(service.quorum_down, base + ".quorum_down");
      for (std::size_t k = 0; k < service.real_server.size(); ++k) {
        const auto& server = service.real_server[k];
        const std::string item = schema::index_path(base + ".real_server", k);
        command(server.notify_up, item + ".notify_up");
        command(server.notify_down, item + ".notify_down");
        for (std::size_t m = 0; m < server.misc_check.size(); ++m) {
          command(server.misc_check[m].misc_path, schema::index_path(item + ".misc_check", m) + ".misc_path");
        }
      }
    }
    std::stable_sort(warnings_.begin(), warnings_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
    return std::move(warnings_);
  }

 private:
  void warn(const std::string& path, std::string message) {
    warnings_.push_back(Diagnostic{Severity::kWarning, config_.locations.find(path), path, std::move(message)});
  }

  // A config names the same few interfaces and programs over and over (1000 instances on four
  // interfaces), and each if_nametoindex opens and closes a socket: a reload of such a file spent a
  // fifth of its time here. Each name is asked once per check.
  bool interface_exists(const std::string& name) {
    auto [known, inserted] = interface_exists_.try_emplace(name, false);
    if (inserted) known->second = if_nametoindex(name.c_str()) != 0;
    return known->second;
  }

  bool executable(const std::string& path) {
    auto [known, inserted] = executable_.try_emplace(path, false);
    if (inserted) known->second = ::access(path.c_str(), X_OK) == 0;
    return known->second;
  }

  void interface(const std::string& name, const std::string& path) {
    if (!interface_exists(name)) {
      warn(path, "interface " + name + " does not exist on this host" +
                     (config_.global.dynamic_interfaces ? " (yet: dynamic_interfaces is on)" : ""));
    }
  }

  void addresses(const std::vector<AddressEntry>& entries, const std::string& path) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].dev) interface(*entries[i].dev, schema::index_path(path, i) + ".dev");
    }
  }

  std::optional<std::string> find_in_path(const std::string& program) {
    if (program.find('/') != std::string::npos) return executable(program) ? std::optional(program) : std::nullopt;
    const char* env = std::getenv("PATH");
    std::istringstream dirs(env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
      if (executable(candidate)) return candidate;
    }
    return std::nullopt;
  }

  void command(const std::optional<Command>& value, const std::string& path) {
    if (value) command(*value, path);
  }

  void command(const Command& value, const std::string& path) {
    if (value.kind == CommandKind::kExec) {
      if (!find_in_path(value.argv.front())) {
        warn(path, "program " + value.argv.front() + " is not an executable file on this host");
      }
      return;
    }
    if (!executable(value.shell)) warn(path, "shell " + value.shell + " is not an executable file on this host");
    // The first word of a shell line is usually the script: check it when it is a path.
    const auto start = value.line.find_first_not_of(" \t");
    const auto end = value.line.find_first_of(" \t;|&", start);
    const std::string first = value.line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (first.find('/') != std::string::npos && !executable(first)) {
      warn(path, "script " + first + " is not an executable file on this host");
    }
  }

  const Config& config_;
  std::vector<Diagnostic> warnings_;
  std::unordered_map<std::string, bool> interface_exists_;
  std::unordered_map<std::string, bool> executable_;
};

}  // namespace

std::vector<Diagnostic> check_host(const Config& config) { return HostChecker(config).run(); }

}  // namespace vigil::config
