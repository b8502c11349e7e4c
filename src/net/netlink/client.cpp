#include "net/netlink/client.hpp"

#include <linux/netlink.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <asio/co_spawn.hpp>
#include <asio/this_coro.hpp>
#include <cerrno>
#include <exception>

#include "net/netlink/error.hpp"
#include "net/netlink/parse.hpp"
#include "rt/tokens.hpp"

namespace vigil::net::netlink {

namespace {

// Replies to concurrent requests queue up here; a full buffer drops ACKs (and then fails every
// waiter with ENOBUFS), so leave plenty of room.
constexpr int kRequestReceiveBuffer = 1024 * 1024;

template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ~ScopeExit() { f_(); }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

 private:
  F f_;
};

}  // namespace

asio::awaitable<asio::error_code> Client::send_datagram(std::span<const std::uint8_t> datagram) {
  // A request goes out with one sendto() right here: the kernel handles it inside that call and
  // queues its ACK, so nothing waits. Asio's async send on this (blocking) socket would queue an
  // io_uring SENDMSG instead, whose submission and completion each cost a pass of the event loop
  // -- on the path from a new master's timer to its first GARP, which adds its VIPs in between.
  // Only a full send buffer (EAGAIN) takes the asynchronous way.
  const auto endpoint = kernel_endpoint();
  ssize_t sent_now = 0;
  do {
    sent_now = ::sendto(socket_.native_handle(), datagram.data(), datagram.size(), MSG_DONTWAIT, endpoint.data(),
                        static_cast<socklen_t>(endpoint.size()));
  } while (sent_now < 0 && errno == EINTR);
  if (sent_now >= 0) co_return asio::error_code{};
  if (errno != EAGAIN && errno != EWOULDBLOCK) co_return asio::error_code(errno, asio::system_category());
  auto [ec, sent] =
      co_await socket_.async_send_to(asio::buffer(datagram.data(), datagram.size()), endpoint, rt::use_nothrow);
  (void)sent;
  co_return ec;
}

Result<std::shared_ptr<Client>> Client::open(const asio::any_io_executor& executor, int protocol) {
  auto socket = open_route_socket(executor, kRequestReceiveBuffer, protocol);
  if (!socket) return fail(socket.error());
  std::shared_ptr<Client> client(new Client(executor, std::move(*socket)));
  asio::co_spawn(executor, client->receive_loop(), [](const std::exception_ptr& e) {
    if (e) std::rethrow_exception(e);  // only a bug (bad_alloc, logic error) gets here
  });
  return client;
}

Client::Client(const asio::any_io_executor& executor, RouteProtocol::socket socket)
    : socket_(std::move(socket)), dump_slot_(executor, 1) {
  dump_slot_.try_send(asio::error_code{}, true);
}

Client::~Client() = default;

void Client::stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::error_code ignored;
  socket_.close(ignored);
  dump_slot_.close();
  fail_all(ECANCELED);
}

void Client::fail_all(int error) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [seq, waiter] : pending) {
    waiter->error = error;
    waiter->extack.clear();
    waiter->done.try_send(asio::error_code{}, true);
  }
}

asio::awaitable<Result<Reply>> Client::transact(Message message, std::string what) {
  auto self = shared_from_this();
  if (stopped_) co_return fail(kernel_error(ECANCELED, what, ""));
  nlmsghdr* header = nlmsg_hdr(message.get());
  const bool dump = (header->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  if (dump) {
    // The kernel runs one dump per socket at a time (a second one gets EBUSY).
    auto [ec, signalled] = co_await dump_slot_.async_receive(rt::use_nothrow);
    if (ec) co_return fail(kernel_error(ECANCELED, what, ""));
  }
  ScopeExit release_dump([this, dump] {
    if (dump && !stopped_) dump_slot_.try_send(asio::error_code{}, true);
  });

  const std::uint32_t seq = next_seq_++;
  if (next_seq_ == 0) next_seq_ = 1;
  header->nlmsg_seq = seq;
  header->nlmsg_pid = 0;
  header->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  auto pending = std::make_shared<Pending>(co_await asio::this_coro::executor);
  pending_[seq] = pending;
  ScopeExit forget([this, seq] { pending_.erase(seq); });

  const auto send_ec = co_await send_datagram({reinterpret_cast<const std::uint8_t*>(header), header->nlmsg_len});
  if (stopped_) co_return fail(kernel_error(ECANCELED, what, ""));  // stop() closed the socket under us
  if (send_ec) co_return fail(kernel_error(send_ec.value(), what + ": send", ""));
  auto [ec, signalled] = co_await pending->done.async_receive(rt::use_nothrow);
  if (ec) co_return fail(kernel_error(ECANCELED, what, ""));
  if (pending->error != 0) co_return fail(kernel_error(pending->error, what, pending->extack));
  co_return std::move(pending->reply);
}

asio::awaitable<std::vector<Result<void>>> Client::transact_many(std::vector<Message> messages,
                                                                 std::vector<std::string> whats) {
  auto self = shared_from_this();
  // Well under the socket's send buffer, and the ACKs of one datagram (each echoes only its
  // header with NETLINK_CAP_ACK) fit the receive buffer easily.
  constexpr std::size_t kBatchBytes = 32 * 1024;
  std::vector<Result<void>> results;
  results.reserve(messages.size());
  const auto executor = co_await asio::this_coro::executor;
  std::size_t next = 0;
  while (next < messages.size()) {
    std::vector<std::uint8_t> datagram;
    std::vector<std::pair<std::uint32_t, std::shared_ptr<Pending>>> waiting;
    while (next < messages.size()) {
      nlmsghdr* header = nlmsg_hdr(messages[next].get());
      const std::size_t size = NLMSG_ALIGN(header->nlmsg_len);
      if (!datagram.empty() && datagram.size() + size > kBatchBytes) break;
      const std::uint32_t seq = next_seq_++;
      if (next_seq_ == 0) next_seq_ = 1;
      header->nlmsg_seq = seq;
      header->nlmsg_pid = 0;
      header->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(header);
      datagram.insert(datagram.end(), bytes, bytes + header->nlmsg_len);
      datagram.resize(datagram.size() + (size - header->nlmsg_len), 0);
      auto pending = std::make_shared<Pending>(executor);
      pending_[seq] = pending;
      waiting.emplace_back(seq, std::move(pending));
      ++next;
    }
    const std::size_t first = results.size();
    ScopeExit forget([this, &waiting] {
      for (const auto& [seq, pending] : waiting) pending_.erase(seq);
    });
    if (stopped_) {
      for (std::size_t i = 0; i < waiting.size(); ++i)
        results.push_back(fail(kernel_error(ECANCELED, whats[first + i], "")));
      continue;
    }
    const auto send_ec = co_await send_datagram(datagram);
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      const std::string& what = whats[first + i];
      if (stopped_) {
        results.push_back(fail(kernel_error(ECANCELED, what, "")));
        continue;
      }
      if (send_ec) {
        results.push_back(fail(kernel_error(send_ec.value(), what + ": send", "")));
        continue;
      }
      Pending& pending = *waiting[i].second;
      auto [ec, signalled] = co_await pending.done.async_receive(rt::use_nothrow);
      if (ec) {
        results.push_back(fail(kernel_error(ECANCELED, what, "")));
      } else if (pending.error != 0) {
        results.push_back(fail(kernel_error(pending.error, what, pending.extack)));
      } else {
        results.emplace_back();
      }
    }
  }
  co_return results;
}

asio::awaitable<void> Client::receive_loop() {
  auto self = shared_from_this();
  std::vector<std::uint8_t> buffer(kReceiveBufferSize);
  RouteProtocol::endpoint from;
  while (!stopped_) {
    auto [ec, size] = co_await socket_.async_receive_from(asio::buffer(buffer), from, rt::use_nothrow);
    if (stopped_) break;
    if (ec == asio::error::no_buffer_space) {
      // A reply was dropped and nobody can tell whose: every waiter fails rather than hangs.
      fail_all(ENOBUFS);
      continue;
    }
    if (ec) {
      fail_all(ec.value());
      stop();
      break;
    }
    if (sender_port(from) != 0) continue;  // only the kernel may answer
    dispatch({buffer.data(), size});
  }
  fail_all(ECANCELED);
}

void Client::dispatch(std::span<const std::uint8_t> datagram) {
  for (const auto& message : split_datagram(datagram)) {
    const auto it = pending_.find(message.seq);
    if (it == pending_.end()) continue;  // stale: its requester gave up
    Pending& waiter = *it->second;
    if (message.type == NLMSG_ERROR || message.type == NLMSG_DONE) {
      auto status = parse_status(message);
      waiter.error = status ? status->error : EPROTO;
      if (status) waiter.extack = std::move(status->extack);
      waiter.done.try_send(asio::error_code{}, true);
      pending_.erase(it);
    } else if (message.type != NLMSG_NOOP && message.type != NLMSG_OVERRUN) {
      waiter.reply.messages.emplace_back(message.bytes.begin(), message.bytes.end());
    }
  }
}

}  // namespace vigil::net::netlink
