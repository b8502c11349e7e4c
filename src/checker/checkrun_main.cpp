// vigil-checkrun: runs the health checkers of a config without IPVS and prints every verdict as a
// JSON line ({"t_ms", "vs", "rs", "checker", "kind", "name", "up", "weight"}). For tests and for
// trying checkers against real servers before a load balancer uses them. SIGHUP re-reads the file
// and applies a changed [ssl] the way vigild's reload does (CheckerSet::set_ssl); other changes
// need a restart.
#include <CLI/CLI.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <csignal>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "checker/checker_set.hpp"
#include "config/loader.hpp"
#include "rt/io_context.hpp"
#include "sys/log.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Run the health checkers of a Vigil config and print verdicts as JSON lines"};
  std::string config_path;
  double run_seconds = 0;
  std::size_t max_probes = 0;
  std::uint64_t seed = 0;
  app.add_option("-c,--config", config_path, "config file (.toml, .yaml)")->required();
  app.add_option("--duration", run_seconds, "stop after this many seconds (default: until SIGTERM/SIGINT)");
  app.add_option("--max-probes", max_probes, "probes running at once (default: a quarter of the fd limit)");
  app.add_option("--seed", seed, "random seed for warmup spreading (default: random)");
  CLI11_PARSE(app, argc, argv);

  auto loaded = vigil::config::load_file(config_path);
  vigil::config::print_diagnostics(std::cerr, loaded.diagnostics);
  if (!loaded.ok()) return 1;
  auto io = vigil::rt::make_io_context();
  if (!io) {
    std::cerr << io.error().to_string() << "\n";
    return 1;
  }
  const auto start = vigil::Clock::now();
  vigil::checker::CheckerSetOptions options;
  options.max_concurrent_probes = max_probes;
  if (app.count("--seed") > 0) options.random_seed = seed;
  vigil::checker::CheckerSet* set_pointer = nullptr;
  std::map<std::tuple<std::size_t, std::size_t, std::size_t>, std::size_t> spec_index;  // (vs, rs, checker) -> spec
  vigil::checker::CheckerSet set(
      (*io)->get_executor(), *loaded.config,
      [&](const vigil::check::CheckerVerdict& verdict) {
        nlohmann::json line;
        line["t_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(vigil::Clock::now() - start).count();
        line["vs"] = verdict.virtual_server;
        line["rs"] = verdict.real_server;
        line["checker"] = verdict.checker;
        line["up"] = verdict.up;
        line["weight"] = verdict.weight ? nlohmann::json(*verdict.weight) : nlohmann::json(nullptr);
        // Indexed once: a scan of every spec per verdict was quadratic at start with 10 000 checkers.
        if (spec_index.empty()) {
          const auto& specs = set_pointer->specs();
          for (std::size_t i = 0; i < specs.size(); ++i)
            spec_index.emplace(std::tuple(specs[i].virtual_server, specs[i].real_server, specs[i].checker), i);
        }
        if (auto found = spec_index.find(std::tuple(verdict.virtual_server, verdict.real_server, verdict.checker));
            found != spec_index.end()) {
          const auto& spec = set_pointer->specs()[found->second];
          line["kind"] = vigil::checker::kind_name(spec.probe);
          line["name"] = spec.name;
        }
        std::cout << line.dump() << std::endl;
      },
      options);
  set_pointer = &set;
  std::cerr << "vigil-checkrun: " << set.specs().size() << " checkers, " << set.probe_limit()
            << " probes at most at once\n";
  asio::signal_set signals(**io, SIGTERM, SIGINT);
  asio::signal_set hangups(**io, SIGHUP);
  asio::steady_timer deadline(**io);
  auto finish = [&] {
    set.stop();
    signals.cancel();
    hangups.cancel();
    deadline.cancel();
  };
  std::optional<vigil::config::SslConfig> ssl = loaded.config->ssl;
  std::function<void(const asio::error_code&, int)> on_hangup = [&](const asio::error_code& ec, int) {
    if (ec) return;
    auto reloaded = vigil::config::load_file(config_path);
    vigil::config::print_diagnostics(std::cerr, reloaded.diagnostics);
    if (!reloaded.ok()) {
      std::cerr << "vigil-checkrun: reload refused: " << config_path << " has errors\n";
    } else if (reloaded.config->ssl != ssl) {
      ssl = reloaded.config->ssl;
      set.set_ssl(ssl);
      std::cerr << "vigil-checkrun: reload: [ssl] changed: ssl_get checkers use it from their next probe\n";
    } else {
      std::cerr << "vigil-checkrun: reload: [ssl] unchanged (nothing else is reloaded)\n";
    }
    hangups.async_wait(on_hangup);
  };
  hangups.async_wait(on_hangup);
  signals.async_wait([&](const asio::error_code& ec, int) {
    if (!ec) finish();
  });
  if (run_seconds > 0) {
    deadline.expires_after(std::chrono::duration_cast<vigil::Duration>(std::chrono::duration<double>(run_seconds)));
    deadline.async_wait([&](const asio::error_code& ec) {
      if (!ec) finish();
    });
  }
  set.start();
  (*io)->run();
  return 0;
}
