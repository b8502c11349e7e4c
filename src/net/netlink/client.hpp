#pragma once
// The request side of rtnetlink: one socket, one receive loop, many concurrent transactions.
// Each request gets its own sequence number and NLM_F_REQUEST|NLM_F_ACK; the receive loop hands
// each reply to the coroutine that awaits that sequence number and drops stale replies. Most code
// wants the Netlink facade (net/netlink/netlink.hpp) instead.
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
  // Opens and binds the socket (NETLINK_EXT_ACK, NETLINK_CAP_ACK) and starts the receive loop.
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

  // Closes the socket; every waiting transaction resumes with operation_aborted.
  void stop();
  [[nodiscard]] bool stopped() const { return stopped_; }

 private:
  using Signal = asio::experimental::channel<void(asio::error_code, bool)>;
  struct Pending {
    explicit Pending(const asio::any_io_executor& executor) : done(executor, 1) {}
    Signal done;
    Reply reply;
    int error = 0;
    std::string extack;
  };

  Client(const asio::any_io_executor& executor, RouteProtocol::socket socket);
  asio::awaitable<asio::error_code> send_datagram(std::span<const std::uint8_t> datagram);
  asio::awaitable<void> receive_loop();
  void dispatch(std::span<const std::uint8_t> datagram);
  void fail_all(int error);

  RouteProtocol::socket socket_;
  Signal dump_slot_;  // holds one token while no dump runs
  std::map<std::uint32_t, std::shared_ptr<Pending>> pending_;
  std::uint32_t next_seq_ = 1;
  bool stopped_ = false;
};

}  // namespace vigil::net::netlink
