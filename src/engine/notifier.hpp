#pragma once
// Notifier: tells the outside world about state changes, keepalived style: the per-state command
// (notify_master, ...), the generic `notify` command with `INSTANCE|GROUP name STATE priority`
// appended, and a line on the notify FIFOs. It lives on the slow executor: scripts of one
// instance run one after another in order, and never on the thread that sends adverts.
#include <asio/any_io_executor.hpp>
#include <cstdint>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/duration.hpp"
#include "config/model.hpp"
#include "engine/alert_sink.hpp"
#include "engine/notify_fifo.hpp"
#include "rt/task_group.hpp"
#include "rt/tokens.hpp"

namespace vigil::engine {

struct NotifyRequest {
  bool group = false;  // INSTANCE or GROUP
  std::string name;
  std::string state;  // MASTER, BACKUP, FAULT, STOP, MASTER_RX_LOWER_PRI
  std::uint8_t priority = 0;
  std::optional<config::Command> state_command;
  std::optional<config::Command> notify_command;
  bool smtp_alert = false;  // also mail the transition (the instance's or group's smtp_alert)
  std::time_t when = 0;     // stamped by submit()
};

// The account scripts run as (global.script_user / script_group), resolved once.
struct ScriptIdentity {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
};

class Notifier {
 public:
  // `fifo_paths`: global notify_fifo and vrrp_notify_fifo, resolved against the runtime directory.
  // `alerts` (may be null) receives the MASTER/BACKUP/FAULT transitions whose smtp_alert is on,
  // and every state in on_vrrp_state().
  Notifier(asio::any_io_executor executor, const std::vector<std::string>& fifo_paths, ScriptIdentity identity,
           AlertSink* alerts = nullptr);

  // Any thread: queues the request on the notifier's executor.
  void submit(NotifyRequest request);
  // Resolves once every request submitted so far has run.
  rt::Task<void> flush();
  // The orderly stop: as flush() (notify_stop runs), but a script still running after `grace` is
  // cancelled, which kills and reaps it, and the requests still queued behind it are dropped.
  // Nothing is run after it. Returns how many instances' scripts were cancelled.
  rt::Task<std::size_t> finish(Duration grace);
  // Whether `request` is mailed: smtp_alert on and a state change keepalived mails.
  [[nodiscard]] static bool wants_alert(const NotifyRequest& request);
  // FIFO line for `request`: `INSTANCE "VI_1" MASTER 100`.
  [[nodiscard]] static std::string fifo_line(const NotifyRequest& request);
  // The argv that runs `command` with the four notify arguments appended.
  [[nodiscard]] static std::vector<std::string> notify_argv(const config::Command& command,
                                                            const NotifyRequest& request);

 private:
  void enqueue(NotifyRequest request);
  rt::Task<void> drain(std::string name);
  rt::Task<void> wait_idle();
  rt::Task<std::size_t> finish_here(Duration grace);
  rt::Task<void> run_command(const config::Command& command, std::vector<std::string> argv, const std::string& what);
  void write_fifos(const NotifyRequest& request);

  asio::any_io_executor executor_;
  ScriptIdentity identity_;
  AlertSink* alerts_ = nullptr;
  NotifyFifos fifos_;
  std::map<std::string, std::deque<NotifyRequest>> queues_;  // per instance/group: in order
  std::size_t running_ = 0;
  std::unique_ptr<rt::TaskGroup> drains_;  // one drain per instance with requests; executor_ only
};

}  // namespace vigil::engine
