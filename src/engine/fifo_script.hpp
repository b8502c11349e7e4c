#pragma once
// The reader script of a notify FIFO (keepalived's lvs_notify_fifo_script; the same shape serves
// notify_fifo_script and vrrp_notify_fifo_script): started once with the FIFO's path appended to
// its command, so `read-fifo.sh` runs as `read-fifo.sh /run/vigil/lvs.fifo`, and kept running
// while the FIFO is in use. A script that ends on its own is logged and not restarted, as
// keepalived does. stop() first gives it `grace` to leave by itself (the caller closes its end of
// the FIFO first, so a `while read` loop sees end of file), then sends its process group SIGTERM
// and, `grace` later, SIGKILL. (Not by cancelling sys::run, which would skip the end-of-file chance.)
#include <asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "base/duration.hpp"
#include "config/model.hpp"
#include "rt/tokens.hpp"

namespace vigil::engine {

class FifoScript {
 public:
  // `what` names it in the log: "lvs_notify_fifo_script".
  FifoScript(asio::any_io_executor executor, std::string what);
  ~FifoScript();  // SIGKILLs a script still running (stop() is the orderly way)
  FifoScript(const FifoScript&) = delete;
  FifoScript& operator=(const FifoScript&) = delete;

  void start(const config::Command& command, const std::string& fifo_path);
  rt::Task<void> stop(Duration grace);
  [[nodiscard]] bool running() const;

  struct State;

 private:
  asio::any_io_executor executor_;
  std::string what_;
  std::shared_ptr<State> state_;
};

}  // namespace vigil::engine
