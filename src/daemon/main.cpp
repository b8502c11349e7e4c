// vigild: the Vigil daemon. Runs in the foreground (systemd Type=notify); see exit_code.hpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>

#include "daemon/alert_service.hpp"
#include "daemon/config_source.hpp"
#include "daemon/daemon.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/fifo_script_service.hpp"
#include "daemon/lb_service.hpp"
#include "daemon/static_service.hpp"
#include "daemon/vrrp_service.hpp"
#include "rt/io_context.hpp"
#include "sys/log.hpp"
#include "vigil_version.hpp"

namespace {

using vigil::daemon::ExitCode;
using vigil::daemon::to_int;

int check_config(const std::filesystem::path& file) {
  const vigil::daemon::ConfigLoad loaded = vigil::daemon::load_config(file, true);
  for (const auto& message : loaded.messages) std::cerr << message.text << '\n';
  if (!loaded.ok()) {
    std::cerr << file.string() << ": invalid (" << loaded.error_count() << " errors, " << loaded.warning_count()
              << " warnings)\n";
    return to_int(ExitCode::ConfigInvalid);
  }
  std::cout << file.string() << ": valid (" << loaded.warning_count() << " warnings)\n";
  return to_int(ExitCode::Ok);
}

int run(int argc, char** argv) {
  CLI::App app{"vigild: VRRP and load-balancer health-check daemon (keepalived successor)", "vigild"};
  app.footer(vigil::daemon::kExitCodeHelp);
  std::string config_file;
  bool check_only = false;
  std::string log_level = "info";
  std::string runtime_dir{vigil::sys::kDefaultRuntimeDir};
  app.add_option("-c,--config", config_file, "Config file (.toml, .yaml or .yml)")->required();
  app.add_flag("--check", check_only, "Validate the config file and exit (host problems are warnings)");
  app.add_option("--log-level", log_level, "error, warning, notice, info or debug")
      ->capture_default_str()
      ->check(CLI::IsMember({"error", "warning", "notice", "info", "debug"}));
  app.add_option("--runtime-dir", runtime_dir, "Directory for the pid file, control socket and dumps")
      ->capture_default_str();
  app.set_version_flag("--version", std::string("vigild ") + vigil::kVersion +
                                        " (event loop: " + std::string(vigil::rt::backend_name()) + ")");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : to_int(ExitCode::Usage);
  }

  vigil::sys::set_log_level(*vigil::sys::parse_log_level(log_level));
  if (check_only) return check_config(config_file);
  vigil::daemon::DaemonHooks hooks;
  // Each install wraps the previous ones: start runs alerts, statics, the FIFO readers, the load
  // balancer, VRRP; stop the reverse.
  // Static addresses/routes come up before VRRP and go after it: virtual routes may rely on them.
  vigil::daemon::AlertService alerts;  // outlives every service that posts to it
  vigil::daemon::VrrpService vrrp(runtime_dir);
  vrrp.set_alert_sink(alerts.sink());
  vrrp.install(hooks);
  vigil::daemon::LbService lb(runtime_dir);  // starts the health checkers, which report to its on_verdict
  lb.set_alert_sink(alerts.sink());
  // ha_suspend: the load balancer follows the VRRP states the notifier reports.
  alerts.follow_vrrp_states([&lb](const vigil::engine::VrrpAlert& state) { lb.on_vrrp_state(state); });
  lb.install(hooks);
  // notify_fifo_script / vrrp_notify_fifo_script: up before the FIFOs' writers, down after them.
  vigil::daemon::FifoScriptService fifo_readers(runtime_dir);
  fifo_readers.install(hooks);
  vigil::daemon::StaticService statics;
  statics.install(hooks);
  alerts.install(hooks);
  vigil::daemon::Daemon daemon({config_file, runtime_dir}, std::move(hooks));
  return to_int(daemon.run());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigild: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "vigild: internal error\n");
  }
  return to_int(ExitCode::InternalError);
}
