#include "net/netlink/client.hpp"

#include <linux/netlink.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <algorithm>
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

asio::awaitable<asio::error_code> Client::send_datagram(RouteProtocol::socket& socket,
                                                        std::span<const std::uint8_t> datagram) {
  // A request goes out with one sendto() right here: the kernel handles it inside that call and
  // queues its ACK, so nothing waits. Asio's async send on this (blocking) socket would queue an
  // io_uring SENDMSG instead, whose submission and completion each cost a pass of the event loop
  // -- on the path from a new master's timer to its first GARP, which adds its VIPs in between.
  // Only a full send buffer (EAGAIN) takes the asynchronous way.
  const auto endpoint = kernel_endpoint();
  ssize_t sent_now = 0;
  do {
    sent_now = ::sendto(socket.native_handle(), datagram.data(), datagram.size(), MSG_DONTWAIT, endpoint.data(),
                        static_cast<socklen_t>(endpoint.size()));
  } while (sent_now < 0 && errno == EINTR);
  if (sent_now >= 0) co_return asio::error_code{};
  if (errno != EAGAIN && errno != EWOULDBLOCK) co_return asio::error_code(errno, asio::system_category());
  auto [ec, sent] =
      co_await socket.async_send_to(asio::buffer(datagram.data(), datagram.size()), endpoint, rt::use_nothrow);
  (void)sent;
  co_return ec;
}

asio::awaitable<asio::error_code> Client::exchange(std::span<const std::uint8_t> datagram, const Waiters& waiting,
                                                   bool dump) {
  // A dump continues as its reader reads, so it needs the receive loop.
  if (!dump && !immediate_busy_) co_return co_await exchange_immediately(datagram, waiting);
  const auto send_ec = co_await send_datagram(socket_, datagram);
  if (send_ec) co_return send_ec;
  for (const auto& waiter : waiting) {
    // The receive loop, or stop(), signals every waiter it knows.
    if (!waiter->finished) (void)co_await waiter->done.async_receive(rt::use_nothrow);
  }
  co_return asio::error_code{};
}

asio::awaitable<asio::error_code> Client::exchange_immediately(std::span<const std::uint8_t> datagram,
                                                               const Waiters& waiting) {
  immediate_busy_ = true;
  ScopeExit release([this] { immediate_busy_ = false; });
  for (const auto& waiter : waiting) waiter->on_immediate = true;
  const auto send_ec = co_await send_datagram(immediate_, datagram);
  if (send_ec) co_return send_ec;
  auto unanswered = [&] {
    return std::any_of(waiting.begin(), waiting.end(), [](const auto& waiter) { return !waiter->finished; });
  };
  drain_immediate(waiting);
  // Normally every answer was there; the wait is for a kernel that answers later.
  while (unanswered()) {
    auto [wait_ec] = co_await immediate_.async_wait(asio::socket_base::wait_read, rt::use_nothrow);
    if (wait_ec) {
      for (const auto& waiter : waiting) {
        if (!waiter->finished) finish(*waiter, stopped_ ? ECANCELED : wait_ec.value());
      }
      break;
    }
    drain_immediate(waiting);
  }
  co_return asio::error_code{};
}

void Client::drain_immediate(const Waiters& waiting) {
  if (immediate_buffer_.empty()) immediate_buffer_.resize(kReceiveBufferSize);
  for (;;) {
    sockaddr_nl from{};
    socklen_t from_size = sizeof from;
    const ssize_t size = ::recvfrom(immediate_.native_handle(), immediate_buffer_.data(), immediate_buffer_.size(),
                                    MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_size);
    if (size < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // ENOBUFS: an answer was dropped and nobody can tell whose; everyone waiting here fails
      // rather than hangs (what is left of their answers is stale then, and dropped).
      const int error = errno;
      for (const auto& waiter : waiting) {
        if (!waiter->finished) finish(*waiter, error);
      }
      return;
    }
    if (from.nl_pid != 0) continue;  // only the kernel may answer
    dispatch({immediate_buffer_.data(), static_cast<std::size_t>(size)});
  }
}

Result<std::shared_ptr<Client>> Client::open(const asio::any_io_executor& executor, int protocol) {
  auto socket = open_route_socket(executor, kRequestReceiveBuffer, protocol);
  if (!socket) return fail(socket.error());
  // It holds the answers of one transaction at a time, but a batch of transact_many (32 KiB of
  // small IPVS requests) gets hundreds of ACKs at once, each charged far more than its bytes
  // against the buffer (the kernel counts whole socket buffers), and the default 208 KiB would
  // drop some.
  auto immediate = open_route_socket(executor, kRequestReceiveBuffer, protocol);
  if (!immediate) return fail(immediate.error());
  std::shared_ptr<Client> client(new Client(executor, std::move(*socket), std::move(*immediate)));
  asio::co_spawn(executor, client->receive_loop(), [](const std::exception_ptr& e) {
    if (e) std::rethrow_exception(e);  // only a bug (bad_alloc, logic error) gets here
  });
  return client;
}

Client::Client(const asio::any_io_executor& executor, RouteProtocol::socket socket, RouteProtocol::socket immediate)
    : socket_(std::move(socket)), immediate_(std::move(immediate)), dump_slot_(executor, 1) {
  dump_slot_.try_send(asio::error_code{}, true);
}

Client::~Client() = default;

void Client::stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::error_code ignored;
  socket_.close(ignored);
  immediate_.close(ignored);
  dump_slot_.close();
  fail_all(ECANCELED);
}

void Client::finish(Pending& waiter, int error) {
  waiter.error = error;
  waiter.extack.clear();
  waiter.finished = true;
  waiter.done.try_send(asio::error_code{}, true);
}

void Client::fail_all(int error, bool shared_socket_only) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (shared_socket_only && it->second->on_immediate) {
      ++it;
      continue;
    }
    finish(*it->second, error);
    it = pending_.erase(it);
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
  const auto executor = co_await asio::this_coro::executor;
  Waiters waiting;  // (g++ 12 mishandles braced initialisers and temporaries in coroutines)
  waiting.push_back(std::make_shared<Pending>(executor));
  Pending& pending = *waiting.front();
  pending_[seq] = waiting.front();
  ScopeExit forget([this, seq] { pending_.erase(seq); });

  const std::span<const std::uint8_t> datagram(reinterpret_cast<const std::uint8_t*>(header), header->nlmsg_len);
  const auto send_ec = co_await exchange(datagram, waiting, dump);
  if (stopped_) co_return fail(kernel_error(ECANCELED, what, ""));  // stop() closed the sockets under us
  if (send_ec) co_return fail(kernel_error(send_ec.value(), what + ": send", ""));
  if (!pending.finished) co_return fail(kernel_error(ECANCELED, what, ""));
  if (pending.error != 0) co_return fail(kernel_error(pending.error, what, pending.extack));
  co_return std::move(pending.reply);
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
    std::vector<std::uint32_t> seqs;
    Waiters waiting;
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
      seqs.push_back(seq);
      waiting.push_back(std::move(pending));
      ++next;
    }
    const std::size_t first = results.size();
    ScopeExit forget([this, &seqs] {
      for (const auto seq : seqs) pending_.erase(seq);
    });
    if (stopped_) {
      for (std::size_t i = 0; i < waiting.size(); ++i)
        results.push_back(fail(kernel_error(ECANCELED, whats[first + i], "")));
      continue;
    }
    const auto send_ec = co_await exchange(datagram, waiting, false);
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      const std::string& what = whats[first + i];
      const Pending& pending = *waiting[i];
      if (stopped_ || (!send_ec && !pending.finished)) {
        results.push_back(fail(kernel_error(ECANCELED, what, "")));
      } else if (send_ec) {
        results.push_back(fail(kernel_error(send_ec.value(), what + ": send", "")));
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
      // A reply was dropped and nobody can tell whose: every waiter on this socket fails rather
      // than hangs.
      fail_all(ENOBUFS, true);
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
      waiter.finished = true;
      waiter.done.try_send(asio::error_code{}, true);
      pending_.erase(it);
    } else if (message.type != NLMSG_NOOP && message.type != NLMSG_OVERRUN) {
      waiter.reply.messages.emplace_back(message.bytes.begin(), message.bytes.end());
    }
  }
}

}  // namespace vigil::net::netlink
