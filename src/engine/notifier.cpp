#include "engine/notifier.hpp"

#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_error.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "sys/log.hpp"
#include "sys/process.hpp"

namespace vigil::engine {

Notifier::Notifier(asio::any_io_executor executor, const std::vector<std::string>& fifo_paths, ScriptIdentity identity,
                   AlertSink* alerts)
    : executor_(std::move(executor)),
      identity_(identity),
      alerts_(alerts),
      fifos_(fifo_paths),
      drains_(std::make_unique<rt::TaskGroup>(executor_)) {}

std::string Notifier::fifo_line(const NotifyRequest& request) {
  return std::string(request.group ? "GROUP" : "INSTANCE") + " \"" + request.name + "\" " + request.state + " " +
         std::to_string(request.priority) + "\n";
}

std::vector<std::string> Notifier::notify_argv(const config::Command& command, const NotifyRequest& request) {
  return command.exec_argv(
      {request.group ? "GROUP" : "INSTANCE", request.name, request.state, std::to_string(request.priority)});
}

bool Notifier::wants_alert(const NotifyRequest& request) {
  return request.smtp_alert && (request.state == "MASTER" || request.state == "BACKUP" || request.state == "FAULT");
}

void Notifier::submit(NotifyRequest request) {
  request.when = std::time(nullptr);
  asio::post(executor_, [this, request = std::move(request)]() mutable { enqueue(std::move(request)); });
}

void Notifier::enqueue(NotifyRequest request) {
  write_fifos(request);
  if (alerts_ != nullptr) {
    alerts_->on_vrrp_state(VrrpAlert{request.group, request.name, request.state, request.priority, request.when});
  }
  // Posting only queues: the mail goes out from the mailer's own coroutine, never in the way
  // of the scripts below or of an advert.
  if (alerts_ != nullptr && wants_alert(request)) {
    alerts_->post_vrrp_alert(VrrpAlert{request.group, request.name, request.state, request.priority, request.when});
  }
  auto& queue = queues_[request.name];
  const bool idle = queue.empty();
  const std::string name = request.name;
  queue.push_back(std::move(request));
  if (idle && drains_) {
    ++running_;
    drains_->spawn(drain(name));
  }
}

rt::Task<void> Notifier::drain(std::string name) {
  auto& queue = queues_[name];
  try {
    while (!queue.empty()) {
      const NotifyRequest request = queue.front();
      const std::string what = (request.group ? "group " : "instance ") + request.name + " " + request.state;
      if (request.state_command) {
        const auto argv = request.state_command->exec_argv();
        const std::string label = "notify for " + what;
        co_await run_command(*request.state_command, argv, label);
      }
      if (request.notify_command) {
        const auto argv = notify_argv(*request.notify_command, request);
        const std::string label = "notify for " + what;
        co_await run_command(*request.notify_command, argv, label);
      }
      queue.pop_front();
    }
  } catch (const asio::system_error& e) {
    // finish() cancelled the drain at stop: its script was killed, what is queued is dropped.
    if (e.code() != asio::error::operation_aborted) throw;
  }
  // An empty deque still holds a 512-byte chunk: 1000 instances kept 0.5 MB of them for nothing.
  queues_.erase(name);
  --running_;
}

rt::Task<void> Notifier::run_command(const config::Command& command, std::vector<std::string> argv,
                                     const std::string& what) {
  sys::ScriptOptions options;
  options.uid = identity_.uid;
  options.gid = identity_.gid;
  auto result = co_await sys::run(std::move(argv), options);
  if (!result) {
    sys::log_error("{}: cannot run {}: {}", what, command.display(), result.error().to_string());
  } else if (!result->succeeded()) {
    sys::log_warning("{}: {} {}{}{}", what, command.display(), result->describe(), result->output.empty() ? "" : ": ",
                     result->output);
  } else {
    sys::log_debug("{}: {} ran", what, command.display());
  }
}

void Notifier::write_fifos(const NotifyRequest& request) {
  if (!fifos_.empty()) fifos_.write(fifo_line(request));
}

rt::Task<void> Notifier::flush() {
  // running_ belongs to the notifier's executor: wait there, whoever asks.
  co_await asio::co_spawn(executor_, wait_idle(), asio::use_awaitable);
}

rt::Task<std::size_t> Notifier::finish(Duration grace) {
  co_return co_await asio::co_spawn(executor_, finish_here(grace), asio::use_awaitable);
}

rt::Task<std::size_t> Notifier::finish_here(Duration grace) {
  if (!drains_) co_return 0;
  const std::size_t cancelled = co_await drains_->finish(grace);
  if (cancelled > 0) {
    sys::log_warning("{} notify script(s) still running after {} of the stop: killed", cancelled,
                     format_duration(grace));
  }
  drains_.reset();  // its timer belongs to this executor
  co_return cancelled;
}

rt::Task<void> Notifier::wait_idle() {
  asio::steady_timer poll(executor_);
  while (running_ > 0) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(rt::use_nothrow);
  }
}

}  // namespace vigil::engine
