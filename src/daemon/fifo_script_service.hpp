#pragma once
// FifoScriptService: the readers of the notify FIFOs that carry VRRP lines, `notify_fifo_script`
// and `vrrp_notify_fifo_script` (engine/fifo_script.hpp; the load balancer starts its own
// lvs_notify_fifo_script). Installed around the VRRP and load-balancer services, which write the
// FIFOs: a reader starts before anything is written (so it misses no line) and stops after every
// writer has closed the FIFO, so it reads the last lines (notify_stop's, omega's) and then end of
// file. A reload with VRRP instances refuses a change of these (engine/reload_plan.cpp, as for the
// FIFOs themselves); without instances, a changed FIFO or command restarts its reader.
#include <asio/any_io_executor.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "config/model.hpp"
#include "daemon/daemon.hpp"
#include "engine/fifo_script.hpp"
#include "engine/notify_fifo.hpp"

namespace vigil::daemon {

class FifoScriptService {
 public:
  // `runtime_dir`: where relative FIFO paths live.
  explicit FifoScriptService(std::filesystem::path runtime_dir);
  FifoScriptService(const FifoScriptService&) = delete;
  FifoScriptService& operator=(const FifoScriptService&) = delete;

  // Wraps the hooks already installed (see hook_chain.hpp).
  void install(DaemonHooks& hooks);

 private:
  struct Reader {
    std::string what;  // "notify_fifo_script"
    std::optional<std::string> fifo;
    std::optional<config::Command> command;
    engine::NotifyFifos held;  // creates the FIFO before the reader opens it; closed at stop
    std::unique_ptr<engine::FifoScript> script;
  };

  rt::Task<Result<void>> start(asio::io_context& context, const config::Config& config);
  rt::Task<Result<void>> reload(const config::Config& next);
  rt::Task<void> stop();
  // Starts, restarts (its FIFO or command changed) or stops one reader.
  rt::Task<void> sync(Reader& reader, const std::optional<std::string>& fifo,
                      const std::optional<config::Command>& command);
  static rt::Task<void> stop_reader(Reader& reader);

  std::filesystem::path runtime_dir_;
  asio::any_io_executor executor_;
  Reader all_{"notify_fifo_script", {}, {}, {}, {}};
  Reader vrrp_{"vrrp_notify_fifo_script", {}, {}, {}, {}};
};

}  // namespace vigil::daemon
