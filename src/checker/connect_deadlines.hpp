#pragma once
// One timer for the connect deadlines of all TCP probes of a CheckerSet. A TCP_CHECK connect on a
// healthy network finishes in microseconds, long before its connect_timeout: arming and cancelling
// a timer of its own (or racing one in a parallel group, which allocates) cost more than the rest
// of the probe's user-space work. Here a probe only links itself into a list kept in deadline
// order and unlinks when its connect completes; the one timer wakes at the earliest deadline (in
// practice about once per connect_timeout), cancels the connects that are due and re-arms.
//
//   ConnectDeadlines::Watch watch(*deadlines, socket, Clock::now() + timeout);
//   auto [ec] = co_await socket.async_connect(endpoint, rt::use_nothrow);
//   if (ec && watch.expired()) ...  // timed out: the deadline cancelled it
#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <cstddef>
#include <memory>

#include "base/duration.hpp"

namespace vigil::checker {

class ConnectDeadlines : public std::enable_shared_from_this<ConnectDeadlines> {
 public:
  // One connect under watch, from construction until destruction (so never after its frame ends).
  class Watch {
   public:
    Watch(ConnectDeadlines& owner, asio::ip::tcp::socket& socket, TimePoint deadline);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    // The deadline passed and the connect was cancelled for it.
    [[nodiscard]] bool expired() const { return expired_; }

   private:
    friend class ConnectDeadlines;
    ConnectDeadlines* owner_;
    asio::ip::tcp::socket* socket_;
    TimePoint deadline_;
    bool expired_ = false;
    bool linked_ = false;
    Watch* earlier_ = nullptr;
    Watch* later_ = nullptr;
  };

  // Held by shared_ptr: the timer's handler only holds a weak_ptr.
  [[nodiscard]] static std::shared_ptr<ConnectDeadlines> create(asio::any_io_executor executor);
  explicit ConnectDeadlines(asio::any_io_executor executor) : timer_(std::move(executor)) {}
  ConnectDeadlines(const ConnectDeadlines&) = delete;
  ConnectDeadlines& operator=(const ConnectDeadlines&) = delete;

  // Cancels the timer (the io_context need not wait for it); watches made later are never expired.
  void stop();
  [[nodiscard]] std::size_t watching() const { return watching_; }

 private:
  void link(Watch& watch);
  void unlink(Watch& watch);
  void arm(TimePoint at);
  void expire_due();

  asio::steady_timer timer_;
  Watch* earliest_ = nullptr;
  Watch* latest_ = nullptr;
  std::size_t watching_ = 0;
  bool armed_ = false;
  TimePoint armed_at_{};
  bool stopped_ = false;
};

}  // namespace vigil::checker
