#pragma once
// The request side of rtnetlink: many concurrent transactions over two sockets. Each request
// gets its own sequence number and NLM_F_REQUEST|NLM_F_ACK.
//
// The kernel handles a request inside the sendto() that carries it and has queued the answer by
// the time that call returns. So a request normally goes out on the "immediate" socket and its
// answer is read right after the send, in the same pass: a new master's VIPs are in the kernel
// and acknowledged before it sends its first GARP, with no trip through the event loop (see
// VrrpUnit::execute). One transaction at a time uses that socket; while one waits there (an
// answer that was not queued yet) and for dumps, which the kernel continues as the reader reads,
// requests take the shared socket, whose receive loop hands each reply to the coroutine that
// awaits that sequence number and drops stale replies. Most code wants the Netlink facade
// (net/netlink/netlink.hpp) instead.
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/generic/raw_protocol.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "net/netlink/request.hpp"
#include "net/netlink/route_socket.hpp"

namespace vigil::net::netlink {

// The messages a request produced before its ACK or NLMSG_DONE (one per reply for GET, the
// parts of a dump); each holds one whole message, header included.
struct Reply {
  std::vector<std::vector<std::uint8_t>> messages;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  // Opens and binds the sockets (NETLINK_EXT_ACK, NETLINK_CAP_ACK) and starts the receive loop.
  // `protocol`: NETLINK_ROUTE (0) or NETLINK_GENERIC (16).
  static Result<std::shared_ptr<Client>> open(const asio::any_io_executor& executor, int protocol = 0);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `message` and waits for its ACK/NLMSG_DONE; the kernel's errno and extended ACK text
  // become an Error (see error.hpp) whose message starts with `what`. Dumps (NLM_F_DUMP) run one
  // at a time on this socket, as the kernel requires; other requests interleave freely.
  asio::awaitable<Result<Reply>> transact(Message message, std::string what);

  // Sends many requests (no dumps) packed into as few datagrams as fit, and waits for every ACK.
  // The kernel handles the messages of a datagram in order and answers each, so one failure does
  // not stop the rest; result i belongs to message i, its error text starts with whats[i].
  asio::awaitable<std::vector<Result<void>>> transact_many(std::vector<Message> messages,
                                                           std::vector<std::string> whats);

  // Closes the sockets; every waiting transaction resumes with operation_aborted.
  void stop();
  [[nodiscard]] bool stopped() const { return stopped_; }

 private:
  using Signal = asio::experimental::channel<void(asio::error_code, bool)>;
  struct Pending {
    explicit Pending(const asio::any_io_executor& executor) : done(executor, 1) {}
    Signal done;  // signalled once `finished` is set
    bool finished = false;
    bool on_immediate = false;  // asked on immediate_, answered there
    Reply reply;
    int error = 0;
    std::string extack;
  };
  using Waiters = std::vector<std::shared_ptr<Pending>>;

  Client(const asio::any_io_executor& executor, RouteProtocol::socket socket, RouteProtocol::socket immediate);
  // Sends `datagram` (whose requests `waiting` awaits) and returns once each has its answer or
  // has failed; the error is the send's.
  asio::awaitable<asio::error_code> exchange(std::span<const std::uint8_t> datagram, const Waiters& waiting, bool dump);
  asio::awaitable<asio::error_code> exchange_immediately(std::span<const std::uint8_t> datagram,
                                                         const Waiters& waiting);
  asio::awaitable<asio::error_code> send_datagram(RouteProtocol::socket& socket,
                                                  std::span<const std::uint8_t> datagram);
  // Reads and dispatches whatever the immediate socket holds; a receive error fails `waiting`.
  void drain_immediate(const Waiters& waiting);
  asio::awaitable<void> receive_loop();
  void dispatch(std::span<const std::uint8_t> datagram);
  static void finish(Pending& waiter, int error);
  // Fails every waiter, or only those whose answer comes through the receive loop.
  void fail_all(int error, bool shared_socket_only = false);

  RouteProtocol::socket socket_;
  RouteProtocol::socket immediate_;
  bool immediate_busy_ = false;  // a transaction waits for an answer on immediate_
  std::vector<std::uint8_t> immediate_buffer_;
  Signal dump_slot_;  // holds one token while no dump runs
  std::map<std::uint32_t, std::shared_ptr<Pending>> pending_;
  std::uint32_t next_seq_ = 1;
  bool stopped_ = false;
};

}  // namespace vigil::net::netlink
