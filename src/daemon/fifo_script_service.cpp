#include "daemon/fifo_script_service.hpp"

#include <chrono>

#include "daemon/hook_chain.hpp"

namespace vigil::daemon {

namespace {

// As the load balancer's reader: after end of file, this long to leave before SIGTERM, then SIGKILL.
constexpr auto kReaderGrace = std::chrono::milliseconds(500);

}  // namespace

FifoScriptService::FifoScriptService(std::filesystem::path runtime_dir) : runtime_dir_(std::move(runtime_dir)) {}

void FifoScriptService::install(DaemonHooks& hooks) {
  DaemonHooks mine;
  mine.start = [this](asio::io_context& context, const SharedConfig& config) { return start(context, *config); };
  mine.reload = [this](const SharedConfig&, const SharedConfig& next) { return reload(*next); };
  mine.stop = [this] { return stop(); };
  wrap_hooks(hooks, std::move(mine));
}

rt::Task<Result<void>> FifoScriptService::start(asio::io_context& context, const config::Config& config) {
  executor_ = context.get_executor();
  co_await sync(all_, config.global.notify_fifo, config.global.notify_fifo_script);
  co_await sync(vrrp_, config.global.vrrp_notify_fifo, config.global.vrrp_notify_fifo_script);
  co_return Result<void>{};
}

rt::Task<Result<void>> FifoScriptService::reload(const config::Config& next) {
  // Reached only when the VRRP side accepted the reload: with instances, a change was refused.
  co_await sync(all_, next.global.notify_fifo, next.global.notify_fifo_script);
  co_await sync(vrrp_, next.global.vrrp_notify_fifo, next.global.vrrp_notify_fifo_script);
  co_return Result<void>{};
}

rt::Task<void> FifoScriptService::stop() {
  // Every writer (the VRRP notifier, the load balancer) has closed its end by now.
  co_await stop_reader(all_);
  co_await stop_reader(vrrp_);
}

rt::Task<void> FifoScriptService::sync(Reader& reader, const std::optional<std::string>& fifo,
                                       const std::optional<config::Command>& command) {
  const bool wanted = fifo && command;
  if (reader.script && wanted && reader.fifo == fifo && reader.command == command) co_return;
  co_await stop_reader(reader);
  reader.fifo = fifo;
  reader.command = command;
  if (!wanted) co_return;
  const std::string path = engine::fifo_path_in(runtime_dir_.string(), *fifo);
  reader.held = engine::NotifyFifos({path});
  reader.script = std::make_unique<engine::FifoScript>(executor_, reader.what);
  reader.script->start(*command, path);
}

rt::Task<void> FifoScriptService::stop_reader(Reader& reader) {
  reader.held = engine::NotifyFifos();  // the reader sees end of file once no writer is left
  if (!reader.script) co_return;
  co_await reader.script->stop(kReaderGrace);
  reader.script.reset();
}

}  // namespace vigil::daemon
