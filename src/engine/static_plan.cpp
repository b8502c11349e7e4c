#include "engine/static_plan.hpp"

#include <algorithm>

namespace vigil::engine {

namespace {

template <class T>
bool contains(const std::vector<T>& entries, const T& entry) {
  return std::find(entries.begin(), entries.end(), entry) != entries.end();
}

template <class T>
void plan(const std::vector<T>& current, const std::vector<T>& next, std::vector<T>& remove, std::vector<T>& add,
          std::vector<T>& keep) {
  for (const T& entry : current) {
    if (!contains(next, entry) && !contains(remove, entry)) remove.push_back(entry);
  }
  for (const T& entry : next) {
    auto& target = contains(current, entry) ? keep : add;
    if (!contains(target, entry)) target.push_back(entry);
  }
}

}  // namespace

StaticSet static_set_of(const config::Config& config) {
  StaticSet set{config.static_ipaddress, config.static_routes, config.static_rules};
  for (auto& address : set.addresses) {
    if (!address.dev) address.dev = config.global.default_interface;
  }
  return set;
}

StaticPlan plan_static_reload(const StaticSet& current, const StaticSet& next) {
  StaticPlan result;
  plan(current.addresses, next.addresses, result.remove.addresses, result.add.addresses, result.keep.addresses);
  plan(current.routes, next.routes, result.remove.routes, result.add.routes, result.keep.routes);
  plan(current.rules, next.rules, result.remove.rules, result.add.rules, result.keep.rules);
  return result;
}

std::string describe(const config::AddressEntry& entry) {
  std::string text = entry.address.to_string();
  if (entry.dev) text += " dev " + *entry.dev;
  if (entry.label) text += " label " + *entry.label;
  return text;
}

std::string describe(const config::RouteEntry& entry) {
  std::string text;
  if (entry.type != config::RouteType::kUnicast) text = std::string(config::to_string(entry.type)) + " ";
  text += entry.to ? entry.to->to_string() : std::string("default");
  if (entry.via) text += " via " + entry.via->to_string();
  if (entry.dev) text += " dev " + *entry.dev;
  if (entry.src) text += " src " + entry.src->to_string();
  if (entry.table != config::kTableMain) text += " table " + std::to_string(entry.table);
  if (entry.metric) text += " metric " + std::to_string(*entry.metric);
  return text;
}

std::string describe(const config::RuleEntry& entry) {
  std::string text;
  if (entry.invert) text += "not ";
  text += "from " + (entry.from ? entry.from->to_string() : std::string("all"));
  if (entry.to) text += " to " + entry.to->to_string();
  if (entry.iif) text += " iif " + *entry.iif;
  if (entry.oif) text += " oif " + *entry.oif;
  if (entry.fwmark) text += " fwmark " + std::to_string(*entry.fwmark);
  if (entry.priority) text += " priority " + std::to_string(*entry.priority);
  if (entry.action == config::RuleAction::kToTable) {
    text += " table " + std::to_string(entry.table.value_or(0));
  } else {
    text += std::string(" ") + config::to_string(entry.action);
  }
  return text;
}

}  // namespace vigil::engine
