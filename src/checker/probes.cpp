#include "checker/probes.hpp"

#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <asio/ip/icmp.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/this_coro.hpp>
#include <fstream>
#include <random>
#include <sstream>

#include "check/icmp.hpp"
#include "check/smtp.hpp"
#include "checker/http_exchange.hpp"
#include "checker/socket_setup.hpp"
#include "rt/with_timeout.hpp"
#include "sys/process.hpp"
#include "sys/user.hpp"

namespace vigil::checker {

namespace {

ProbeOutcome passed(std::optional<int> weight = std::nullopt) { return {{true, weight}, {}}; }
ProbeOutcome failed(std::string why) { return {{false, std::nullopt}, std::move(why)}; }

std::uint16_t random_u16() {
  static std::mt19937 generator{std::random_device{}()};
  return static_cast<std::uint16_t>(generator());
}

rt::Task<Result<asio::ip::tcp::socket>> connect_tcp(const CheckerSpec& spec) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  const auto address = to_asio(spec.target);
  if (auto opened = open_probe_socket(socket, address.is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), spec.socket);
      !opened)
    co_return fail(opened.error());
  auto [ec] = co_await socket.async_connect(asio::ip::tcp::endpoint(address, spec.port), rt::use_nothrow);
  if (ec) co_return fail(make_error(ec, "cannot connect"));
  co_return std::move(socket);
}

rt::Task<ProbeOutcome> http_url_probe(const CheckerSpec& spec, const HttpProbe& probe, const HttpProbe::Url& url,
                                      TlsContexts& tls) {
  std::string request = check::build_http_request({url.path, probe.host_header, spec.port, probe.tls, probe.version});
  if (probe.tls) {
    TlsRequest tls_request{spec.target.to_string(), spec.port,          probe.sni,   probe.verify_certificate,
                           probe.tls_compliant,     std::move(request), &spec.socket};
    auto exchange = https_exchange(tls, std::move(tls_request));
    auto summary = co_await std::move(exchange);
    if (!summary) co_return failed(summary.error().to_string());
    if (auto why = check::judge_http_response(summary->response, url.expect)) co_return failed(url.path + ": " + *why);
    co_return passed();
  }
  auto socket = co_await connect_tcp(spec);
  if (!socket) co_return failed(socket.error().to_string());
  auto exchange = exchange_http(*socket, std::move(request));
  auto response = co_await std::move(exchange);
  if (!response) co_return failed(response.error().to_string());
  if (auto why = check::judge_http_response(*response, url.expect)) co_return failed(url.path + ": " + *why);
  co_return passed();
}

rt::Task<ProbeOutcome> smtp_probe(const CheckerSpec& spec, const SmtpProbe& probe) {
  auto socket = co_await connect_tcp(spec);
  if (!socket) co_return failed(socket.error().to_string());
  check::SmtpDialogue dialogue(probe.helo_name);
  check::LineSplitter lines;
  std::array<char, 2048> buffer{};
  for (;;) {
    auto [ec, n] = co_await socket->async_read_some(asio::buffer(buffer), rt::use_nothrow);
    if (ec)
      co_return failed(ec == asio::error::eof ? "connection closed mid-dialogue"
                                              : make_error(ec, "cannot read").to_string());
    lines.feed(std::string_view(buffer.data(), n));
    if (lines.pending() > 64 * 1024) co_return failed("SMTP reply line too long");
    while (auto line = lines.next_line()) {
      auto reaction = dialogue.on_line(*line);
      if (!reaction.send.empty()) {
        auto [write_error, written] = co_await asio::async_write(*socket, asio::buffer(reaction.send), rt::use_nothrow);
        (void)written;
        if (write_error && reaction.outcome == check::SmtpDialogue::Outcome::kContinue)
          co_return failed(make_error(write_error, "cannot send").to_string());
      }
      if (reaction.outcome == check::SmtpDialogue::Outcome::kPassed) co_return passed();
      if (reaction.outcome == check::SmtpDialogue::Outcome::kFailed) co_return failed(reaction.reason);
    }
  }
}

rt::Task<Result<asio::ip::udp::socket>> connect_udp(const CheckerSpec& spec) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::udp::socket socket(executor);
  const auto address = to_asio(spec.target);
  if (auto opened = open_probe_socket(socket, address.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), spec.socket);
      !opened)
    co_return fail(opened.error());
  asio::error_code ec;
  socket.connect(asio::ip::udp::endpoint(address, spec.port), ec);
  if (ec) co_return fail(make_error(ec, "cannot connect"));
  co_return std::move(socket);
}

rt::Task<ProbeOutcome> dns_probe(const CheckerSpec& spec, const DnsProbe& probe) {
  const std::uint16_t id = random_u16();
  auto query = check::build_dns_query(id, probe.name, probe.type);
  if (!query) co_return failed(query.error().to_string());
  auto socket = co_await connect_udp(spec);
  if (!socket) co_return failed(socket.error().to_string());
  auto [send_error, sent] = co_await socket->async_send(asio::buffer(*query), rt::use_nothrow);
  (void)sent;
  if (send_error) co_return failed(make_error(send_error, "cannot send the query").to_string());
  std::vector<std::uint8_t> reply(4096);
  for (;;) {
    auto [ec, n] = co_await socket->async_receive(asio::buffer(reply), rt::use_nothrow);
    if (ec) co_return failed(make_error(ec, "no reply").to_string());
    const std::span<const std::uint8_t> received(reply.data(), n);
    // A late answer to an earlier query is not ours: keep waiting for our id.
    if (n >= 2 && ((received[0] << 8) | received[1]) != id) continue;
    if (auto why = check::judge_dns_reply(received, id, probe.name, probe.type)) co_return failed(*why);
    co_return passed();
  }
}

rt::Task<std::pair<asio::error_code, std::size_t>> receive_once(asio::ip::udp::socket& socket,
                                                                std::vector<std::uint8_t>& buffer) {
  auto [ec, n] = co_await socket.async_receive(asio::buffer(buffer), rt::use_nothrow);
  co_return std::make_pair(ec, n);
}

rt::Task<ProbeOutcome> udp_probe(const CheckerSpec& spec, const UdpProbe& probe) {
  auto socket = co_await connect_udp(spec);
  if (!socket) co_return failed(socket.error().to_string());
  auto [send_error, sent] = co_await socket->async_send(asio::buffer(probe.payload), rt::use_nothrow);
  (void)sent;
  check::UdpObservation seen;
  if (send_error == asio::error::connection_refused) {
    seen.refused = true;
  } else if (send_error) {
    co_return failed(make_error(send_error, "cannot send").to_string());
  } else {
    // Silence is an answer for UDP: wait out connect_timeout here instead of failing on it.
    std::vector<std::uint8_t> buffer(std::max<std::size_t>(probe.expect.max_reply_length, 1) + 1);
    auto receive = receive_once(*socket, buffer);
    auto timed = rt::with_timeout(std::move(receive), spec.timing.connect_timeout);
    auto received = co_await std::move(timed);
    if (received) {
      const auto [ec, n] = *received;
      if (ec == asio::error::connection_refused) {
        seen.refused = true;
      } else if (ec) {
        co_return failed(make_error(ec, "cannot receive").to_string());
      } else {
        seen.reply = std::vector<std::uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
      }
    }
  }
  if (auto why = check::judge_udp(seen, probe.expect)) co_return failed(*why);
  co_return passed();
}

// A raw ICMP socket sees every ICMP packet the host receives; with many ping checks the kernel
// should drop all but echo replies before they reach each socket. Best effort.
void pass_only_echo_replies(int fd, bool v6) {
  if (v6) {
    icmp6_filter filter{};
    for (auto& word : filter.icmp6_filt) word = ~0U;  // block all ...
    constexpr unsigned kEchoReply = ICMP6_ECHO_REPLY;
    filter.icmp6_filt[kEchoReply >> 5] &= ~(1U << (kEchoReply & 31));  // ... but echo replies
    (void)::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  } else {
    icmp_filter filter{};
    filter.data = ~(1U << ICMP_ECHOREPLY);  // a set bit blocks that type
    (void)::setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
  }
}

rt::Task<ProbeOutcome> ping_probe(const CheckerSpec& spec) {
  auto executor = co_await asio::this_coro::executor;
  const bool v6 = spec.target.is_v6();
  const int family = v6 ? AF_INET6 : AF_INET;
  const int protocol = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
  // Datagram ICMP sockets need no privilege where net.ipv4.ping_group_range allows it; else raw.
  bool datagram = true;
  int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    datagram = false;
    fd = ::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  }
  if (fd < 0) co_return failed(errno_error("cannot open an ICMP socket").to_string());
  asio::ip::icmp::socket socket(executor);
  asio::error_code ec;
  socket.assign(v6 ? asio::ip::icmp::v6() : asio::ip::icmp::v4(), fd, ec);
  if (ec) {
    ::close(fd);
    co_return failed(make_error(ec, "cannot use the ICMP socket").to_string());
  }
  if (auto applied = apply_socket_options(fd, spec.socket); !applied) co_return failed(applied.error().to_string());
  if (!datagram) pass_only_echo_replies(fd, v6);
  const auto target = to_asio(spec.target);
  if (spec.socket.bindto) {
    socket.bind(asio::ip::icmp::endpoint(to_asio(*spec.socket.bindto), 0), ec);
    if (ec) co_return failed(make_error(ec, "cannot bind").to_string());
  }
  const std::uint16_t id = random_u16();
  const std::uint16_t sequence = random_u16();
  static constexpr std::array<std::uint8_t, 16> kPayload = {'v', 'i', 'g', 'i', 'l', '-', 'p', 'i',
                                                            'n', 'g', '-', 'c', 'h', 'e', 'c', 'k'};
  const auto request = check::build_echo_request(v6, id, sequence, kPayload);
  auto [send_error, sent] =
      co_await socket.async_send_to(asio::buffer(request), asio::ip::icmp::endpoint(target, 0), rt::use_nothrow);
  (void)sent;
  if (send_error) co_return failed(make_error(send_error, "cannot send the echo request").to_string());
  std::array<std::uint8_t, 1500> buffer{};
  for (;;) {
    asio::ip::icmp::endpoint from;
    auto [receive_error, n] = co_await socket.async_receive_from(asio::buffer(buffer), from, rt::use_nothrow);
    if (receive_error) co_return failed(make_error(receive_error, "no echo reply").to_string());
    if (from.address() != target) continue;
    std::span<const std::uint8_t> packet(buffer.data(), n);
    if (!v6 && !datagram) packet = check::icmp_payload_of_ipv4(packet);
    if (check::is_echo_reply(packet, v6, id, sequence, !datagram)) co_return passed();
  }
}

rt::Task<ProbeOutcome> misc_probe(const MiscProbe& probe) {
  sys::ScriptOptions options;
  options.timeout = probe.timeout;
  if (probe.user) {
    auto ids = sys::lookup_user(*probe.user, probe.group.value_or(""));
    if (!ids) co_return failed(ids.error().to_string());
    options.uid = ids->uid;
    options.gid = ids->gid;
  }
  auto argv = probe.argv;
  auto run = sys::run(std::move(argv), std::move(options));
  auto result = co_await std::move(run);
  if (!result) co_return failed(result.error().to_string());
  const std::optional<int> code =
      result->outcome == sys::ScriptOutcome::Exited ? std::optional<int>(result->exit_code) : std::nullopt;
  const auto verdict = check::misc_result(code, probe.dynamic);
  co_return ProbeOutcome{verdict, verdict.ok ? std::string() : result->describe(probe.timeout)};
}

ProbeOutcome file_probe(const FileProbe& probe) {
  std::ifstream file(probe.path);
  std::optional<long long> value;
  if (file) {
    std::ostringstream text;
    text << file.rdbuf();
    value = check::parse_file_value(text.str());
  }
  const auto verdict = check::file_result(value, probe.weight, probe.reverse, probe.base_weight);
  return {verdict, verdict.ok ? std::string() : probe.path + " holds " + std::to_string(value.value_or(0))};
}

rt::Task<ProbeOutcome> bounded(rt::Task<ProbeOutcome> probe, Duration limit) {
  auto timed = rt::with_timeout(std::move(probe), limit);
  auto result = co_await std::move(timed);
  if (!result) co_return failed(result.error().to_string());
  co_return std::move(*result);
}

}  // namespace

rt::Task<ProbeOutcome> run_tcp_probe(const CheckerSpec& spec, ConnectDeadlines& deadlines) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  const auto address = to_asio(spec.target);
  if (auto opened = open_probe_socket(socket, address.is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), spec.socket);
      !opened)
    co_return failed(opened.error().to_string());
  const Duration limit = spec.timing.connect_timeout;
  const ConnectDeadlines::Watch watch(deadlines, socket, Clock::now() + limit);
  const asio::ip::tcp::endpoint endpoint(address, spec.port);
  auto [ec] = co_await socket.async_connect(endpoint, rt::use_nothrow);
  if (!ec) co_return passed();
  if (watch.expired()) co_return failed(rt::detail::timeout_error(limit).to_string());
  co_return failed(make_error(ec, "cannot connect").to_string());
}

rt::Task<ProbeOutcome> run_probe(const CheckerSpec& spec, TlsContexts& tls) {
  const Duration limit = spec.timing.connect_timeout;
  if (const auto* http = std::get_if<HttpProbe>(&spec.probe)) {
    // Every URL must pass; each has its own connection and its own timeout.
    for (const auto& url : http->urls) {
      auto probe = http_url_probe(spec, *http, url, tls);
      auto bounded_probe = bounded(std::move(probe), limit);
      auto outcome = co_await std::move(bounded_probe);
      if (!outcome.result.ok) co_return outcome;
    }
    co_return passed();
  }
  if (std::holds_alternative<TcpProbe>(spec.probe)) {
    auto deadlines = ConnectDeadlines::create(co_await asio::this_coro::executor);
    auto probe = run_tcp_probe(spec, *deadlines);
    auto outcome = co_await std::move(probe);
    deadlines->stop();
    co_return outcome;
  }
  if (const auto* smtp = std::get_if<SmtpProbe>(&spec.probe)) {
    auto probe = smtp_probe(spec, *smtp);
    auto bounded_probe = bounded(std::move(probe), limit);
    co_return co_await std::move(bounded_probe);
  }
  if (const auto* dns = std::get_if<DnsProbe>(&spec.probe)) {
    auto probe = dns_probe(spec, *dns);
    auto bounded_probe = bounded(std::move(probe), limit);
    co_return co_await std::move(bounded_probe);
  }
  if (const auto* udp = std::get_if<UdpProbe>(&spec.probe)) {
    // Its own receive deadline; the outer bound only catches a stuck send.
    auto probe = udp_probe(spec, *udp);
    auto bounded_probe = bounded(std::move(probe), limit * 2);
    co_return co_await std::move(bounded_probe);
  }
  if (std::holds_alternative<PingProbe>(spec.probe)) {
    auto probe = ping_probe(spec);
    auto bounded_probe = bounded(std::move(probe), limit);
    co_return co_await std::move(bounded_probe);
  }
  if (const auto* misc = std::get_if<MiscProbe>(&spec.probe)) {
    auto probe = misc_probe(*misc);  // the script runner enforces misc_timeout
    co_return co_await std::move(probe);
  }
  if (const auto* file = std::get_if<FileProbe>(&spec.probe)) co_return file_probe(*file);
  co_return failed("unknown checker kind");
}

}  // namespace vigil::checker
