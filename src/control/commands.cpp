#include "control/commands.hpp"

namespace vigil::control {

using nlohmann::json;

rt::Task<json> Commands::handle(json request) {
  if (!request.is_object() || !request.contains("command") || !request["command"].is_string()) {
    co_return json{{"ok", false}, {"error", "a request is a JSON object with a \"command\" string"}};
  }
  const std::string command = request["command"].get<std::string>();
  if (command == "status") {
    json document = co_await backend_.status();
    co_return json{{"ok", true}, {"status", std::move(document)}};
  }
  if (command == "dump") {
    json document = co_await backend_.status();
    document["dumped_at"] = backend_.now();
    co_return json{{"ok", true}, {"dump", std::move(document)}};
  }
  if (command == "stats") {
    json document = co_await backend_.status();
    if (request.value("clear", false)) baseline_.clear(document, backend_.now());
    co_return json{{"ok", true}, {"stats", baseline_.stats(document)}};
  }
  if (command == "reload") {
    json outcome = co_await backend_.reload();
    co_return outcome;
  }
  co_return json{{"ok", false}, {"error", "unknown command \"" + command + "\" (status, dump, stats, reload)"}};
}

}  // namespace vigil::control
