#include "vrrp/events.hpp"

#include "vrrp/overloaded.hpp"

namespace vigil::vrrp {

const char* event_name(const Event& event) {
  return std::visit(Overloaded{
                        [](const Started&) { return "Started"; },
                        [](const AdvertReceived&) { return "AdvertReceived"; },
                        [](const TimerFired&) { return "TimerFired"; },
                        [](const TrackStateChanged&) { return "TrackStateChanged"; },
                        [](const InterfaceChanged&) { return "InterfaceChanged"; },
                        [](const VipsAdded&) { return "VipsAdded"; },
                        [](const StopRequested&) { return "StopRequested"; },
                        [](const ConfigChanged&) { return "ConfigChanged"; },
                        [](const SyncGroupFollow&) { return "SyncGroupFollow"; },
                        [](const SyncGroupFault&) { return "SyncGroupFault"; },
                    },
                    event);
}

}  // namespace vigil::vrrp
