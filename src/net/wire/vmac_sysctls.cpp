#include "net/wire/vmac_sysctls.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>

namespace vigil::net::wire {
namespace {

std::string ipv4_conf(std::string_view interface, std::string_view name) {
  std::string key = "net/ipv4/conf/";
  key += interface;
  key += '/';
  key += name;
  return key;
}

int to_int(std::string_view text) {
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

bool is_gone(const Error& error) { return error.code == std::errc::no_such_file_or_directory; }

}  // namespace

VmacSysctls::VmacSysctls(std::string sysctl_root) : root_(std::move(sysctl_root)) {}

VmacSysctls::~VmacSysctls() { (void)restore_all(); }

bool VmacSysctls::changed_anything() const { return !vmacs_.empty() || !parents_.empty() || !global_.changes.empty(); }

Result<void> VmacSysctls::set(std::vector<Change>& ledger, const std::string& key, std::string_view value) {
  auto old_value = read_sysctl(key, root_);
  if (!old_value) return fail(old_value.error());
  if (*old_value == value) return {};
  auto written = write_sysctl(key, value, root_);
  if (!written) return written;
  ledger.push_back(Change{key, std::move(*old_value)});
  return {};
}

Result<void> VmacSysctls::restore(std::vector<Change>& ledger) {
  Result<void> first_failure;
  for (auto change = ledger.rbegin(); change != ledger.rend(); ++change) {
    auto written = write_sysctl(change->key, change->old_value, root_);
    if (!written && !is_gone(written.error()) && first_failure) first_failure = written;
  }
  ledger.clear();
  return first_failure;
}

Result<void> VmacSysctls::relax_rp_filter(std::string_view vmac) {
  const std::string all_key = ipv4_conf("all", "rp_filter");
  auto all = read_sysctl(all_key, root_);
  if (!all) return fail(all.error());
  const int all_value = to_int(*all);
  if (all_value == 0) return {};
  std::error_code ec;
  const std::filesystem::path conf = std::filesystem::path(root_) / "net/ipv4/conf";
  std::vector<std::string> interfaces;
  for (const auto& entry : std::filesystem::directory_iterator(conf, ec)) {
    interfaces.push_back(entry.path().filename().string());
  }
  if (ec) return fail(make_error(ec, "list " + conf.string()));
  std::sort(interfaces.begin(), interfaces.end());
  for (const auto& interface : interfaces) {
    if (interface == "all" || interface == vmac) continue;
    const std::string key = ipv4_conf(interface, "rp_filter");
    auto value = read_sysctl(key, root_);
    if (!value) {
      if (is_gone(value.error())) continue;  // interface vanished while we looked
      return fail(value.error());
    }
    if (to_int(*value) >= all_value) continue;
    if (auto raised = set(global_.changes, key, std::to_string(all_value)); !raised) return raised;
  }
  return set(global_.changes, all_key, "0");
}

Result<void> VmacSysctls::configure(std::string_view vmac, std::string_view parent) {
  auto configured = configure_counted(vmac, parent);
  if (!configured) (void)release(vmac, parent);  // leave nothing half-done behind
  return configured;
}

Result<void> VmacSysctls::configure_counted(std::string_view vmac, std::string_view parent) {
  const bool first_vmac = global_.users++ == 0;
  auto& shared = parents_[std::string(parent)];
  const bool first_on_parent = shared.users++ == 0;
  auto& vmac_ledger = vmacs_[std::string(vmac)];

  if (first_vmac) {
    if (auto relaxed = relax_rp_filter(vmac); !relaxed) return relaxed;
  }
  for (const auto& [name, value] :
       {std::pair{"arp_ignore", "1"}, {"accept_local", "1"}, {"rp_filter", "0"}, {"promote_secondaries", "1"}}) {
    if (auto done = set(vmac_ledger, ipv4_conf(vmac, name), value); !done) return done;
  }
  if (first_on_parent) {
    for (const auto& [name, value] : {std::pair{"arp_ignore", "1"}, {"arp_filter", "1"}}) {
      if (auto done = set(shared.changes, ipv4_conf(parent, name), value); !done) return done;
    }
  }
  return {};
}

Result<void> VmacSysctls::release(std::string_view vmac, std::string_view parent) {
  Result<void> first_failure;
  auto keep_first = [&first_failure](Result<void> result) {
    if (!result && first_failure) first_failure = std::move(result);
  };
  if (auto found = vmacs_.find(vmac); found != vmacs_.end()) {
    keep_first(restore(found->second));
    vmacs_.erase(found);
  }
  if (auto found = parents_.find(parent); found != parents_.end() && --found->second.users <= 0) {
    keep_first(restore(found->second.changes));
    parents_.erase(found);
  }
  if (global_.users > 0 && --global_.users == 0) keep_first(restore(global_.changes));
  return first_failure;
}

Result<void> VmacSysctls::restore_all() {
  Result<void> first_failure;
  auto keep_first = [&first_failure](Result<void> result) {
    if (!result && first_failure) first_failure = std::move(result);
  };
  for (auto& [name, ledger] : vmacs_) keep_first(restore(ledger));
  vmacs_.clear();
  for (auto& [name, shared] : parents_) keep_first(restore(shared.changes));
  parents_.clear();
  keep_first(restore(global_.changes));
  global_.users = 0;
  return first_failure;
}

}  // namespace vigil::net::wire
