// vigilctl: talks to a running vigild over its control socket (<runtime-dir>/vigild.sock, JSON
// lines; src/control/commands.hpp). Exit codes: 0 ok, 1 the command failed (e.g. a reload with
// errors), 2 usage, 3 no daemon listening, 4 permission denied, 5 protocol error.
// `vigilctl genhash URL` needs no daemon: it fetches URL as an http_get / ssl_get checker would.
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "checker/genhash_cli.hpp"
#include "control/report.hpp"
#include "vigil_version.hpp"

namespace {

using nlohmann::json;

enum Exit : int { kOk = 0, kCommandFailed = 1, kUsage = 2, kNotRunning = 3, kNotPermitted = 4, kProtocol = 5 };

constexpr std::string_view kDefaultRuntimeDir = "/run/vigil";
constexpr std::string_view kDefaultSocketName = "vigild.sock";

struct Failure {
  Exit code;
  std::string message;
};

double now_unix() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

class Connection {
 public:
  explicit Connection(const std::filesystem::path& path, std::chrono::milliseconds timeout)
      : path_(path), timeout_(timeout) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw Failure{kProtocol, fmt::format("socket: {}", std::strerror(errno))};
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof address.sun_path) {
      throw Failure{kUsage, fmt::format("socket path too long: {}", path.string())};
    }
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      const int error = errno;
      switch (error) {
        case ENOENT:
          throw Failure{kNotRunning, fmt::format("{} does not exist: vigild is not running with this runtime "
                                                 "directory (see --runtime-dir / --socket)",
                                                 path.string())};
        case ECONNREFUSED:
          throw Failure{kNotRunning, fmt::format("{}: connection refused: vigild is not running (the socket is stale)",
                                                 path.string())};
        case EACCES:
        case EPERM:
          throw Failure{kNotPermitted, fmt::format("{}: permission denied: the control socket is root-only; run "
                                                   "vigilctl as root",
                                                   path.string())};
        default: throw Failure{kNotRunning, fmt::format("{}: {}", path.string(), std::strerror(error))};
      }
    }
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  json request(const json& message) {
    const std::string line = message.dump() + "\n";
    std::size_t sent = 0;
    while (sent < line.size()) {
      const ssize_t n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Failure{kProtocol, fmt::format("{}: send: {}", path_.string(), std::strerror(errno))};
      sent += static_cast<std::size_t>(n);
    }
    std::string reply;
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    char chunk[65536];
    while (reply.find('\n') == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        throw Failure{kProtocol, fmt::format("no reply from vigild within {} ms", timeout_.count())};
      pollfd poll_fd{fd_, POLLIN, 0};
      const int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Failure{kProtocol, fmt::format("{}: receive: {}", path_.string(), std::strerror(errno))};
      if (n == 0) throw Failure{kProtocol, "vigild closed the connection without a reply"};
      reply.append(chunk, static_cast<std::size_t>(n));
    }
    json parsed = json::parse(reply.substr(0, reply.find('\n')), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) throw Failure{kProtocol, "vigild sent a reply that is not JSON"};
    return parsed;
  }

 private:
  std::filesystem::path path_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
};

// The reply's payload, or a Failure naming the daemon's error(s).
json payload(const json& reply, const char* key) {
  if (!reply.value("ok", false)) {
    std::string message = reply.value("error", std::string("the command failed"));
    const json errors = reply.value("errors", json::array());
    for (const auto& error : errors) {
      message += "\n  " + (error.is_string() ? error.get<std::string>() : error.dump());
    }
    throw Failure{kCommandFailed, message};
  }
  return reply.value(key, json());
}

int run(int argc, char** argv) {
  CLI::App app{"vigilctl: query and control a running vigild", "vigilctl"};
  app.footer(
      "Exit codes: 0 ok, 1 the command failed (reload errors ...), 2 usage, 3 vigild not running,\n"
      "4 permission denied (the socket is root-only), 5 protocol error.");
  std::string runtime_dir{kDefaultRuntimeDir};
  std::string socket_path;
  double timeout_seconds = 30;
  app.add_option("--runtime-dir", runtime_dir, "vigild's --runtime-dir; the socket is <dir>/vigild.sock")
      ->capture_default_str();
  app.add_option("--socket", socket_path, "Control socket path (overrides --runtime-dir)");
  app.add_option("--timeout", timeout_seconds, "Seconds to wait for a reply")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.set_version_flag("--version", std::string("vigilctl ") + vigil::kVersion);
  app.require_subcommand(1);

  bool status_json = false;
  auto* status = app.add_subcommand("status", "Instances: state, priorities, master, VIPs, trackers, last change");
  status->add_flag("--json", status_json, "The whole state document as JSON");
  auto* reload = app.add_subcommand("reload", "Re-read the config (as SIGHUP); prints the errors if it is refused");
  auto* dump = app.add_subcommand("dump", "The complete runtime state as JSON (what SIGUSR1 writes)");
  bool stats_clear = false;
  bool stats_json = false;
  auto* stats = app.add_subcommand("stats", "Per-instance counters: adverts, transitions, every drop reason");
  stats->add_flag("--clear", stats_clear, "Start counting from zero (for this view; metrics keep their totals)");
  stats->add_flag("--json", stats_json, "As JSON");
  vigil::checker::GenhashCommandLine genhash_line;
  auto* genhash = app.add_subcommand(
      "genhash", "Print the MD5 digest (and status) of URL's body that an http_get / ssl_get `digest` expects");
  vigil::checker::add_genhash_options(*genhash, genhash_line);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }

  // Talks to the web server, not to vigild: exit 0 with the digest, 1 when the fetch fails.
  if (genhash->parsed()) return vigil::checker::run_genhash(genhash_line.resolved(), std::cout, std::cerr);

  const std::filesystem::path path = socket_path.empty() ? std::filesystem::path(runtime_dir) / kDefaultSocketName
                                                         : std::filesystem::path(socket_path);
  try {
    Connection connection(path, std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000)));
    if (status->parsed()) {
      const json document = payload(connection.request({{"command", "status"}}), "status");
      std::cout << (status_json ? document.dump(2) + "\n" : vigil::control::format_status(document, now_unix()));
    } else if (dump->parsed()) {
      std::cout << payload(connection.request({{"command", "dump"}}), "dump").dump(2) << '\n';
    } else if (stats->parsed()) {
      const json counters = payload(connection.request({{"command", "stats"}, {"clear", stats_clear}}), "stats");
      std::cout << (stats_json ? counters.dump(2) + "\n" : vigil::control::format_stats(counters));
    } else if (reload->parsed()) {
      payload(connection.request({{"command", "reload"}}), "ok");
      std::cout << "reloaded\n";
    }
  } catch (const Failure& failure) {
    std::cerr << "vigilctl: " << failure.message << '\n';
    return failure.code;
  }
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "vigilctl: internal error: " << e.what() << '\n';
  }
  return kProtocol;
}
