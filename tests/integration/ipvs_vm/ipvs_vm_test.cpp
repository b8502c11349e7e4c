// The IPVS generic-netlink client against a real kernel. Runs inside the QEMU VM of
// tests/vm/ipvs-vm.sh (the host kernel may have no IPVS); `ipvsadm` there cross-checks what the
// kernel holds. Each case starts from an empty IPVS table.
#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "ipvs/pool.hpp"
#include "ipvs/reconcile.hpp"
#include "net/ipvs/client.hpp"
#include "net/netlink/error.hpp"
#include "rt/io_context.hpp"

using namespace vigil;
using namespace vigil::net::ipvs;
using vigil::ipvs::Forward;
using vigil::ipvs::Protocol;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// Runs one coroutine to completion on a fresh io_context; doctest failures inside it propagate.
void run(std::function<asio::awaitable<void>(IpvsClient&)> body) {
  auto context = rt::make_io_context();
  REQUIRE(context);
  std::exception_ptr failure;
  asio::co_spawn(
      **context,
      [&]() -> asio::awaitable<void> {
        auto client = co_await IpvsClient::open();
        INFO((client ? std::string() : client.error().to_string()));
        REQUIRE(client);
        auto flushed = co_await (*client)->flush();
        REQUIRE(flushed);
        co_await body(**client);
        (*client)->stop();
      },
      [&](std::exception_ptr e) { failure = e; });
  (*context)->run();
  if (failure) std::rethrow_exception(failure);
}

std::string shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

bool has_line(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

Service tcp_service(const char* address, std::uint16_t port, const char* scheduler) {
  Service s;
  s.key = ServiceKey::for_address(ip(address), port, Protocol::kTcp);
  s.scheduler = scheduler;
  return s;
}

Destination destination(const char* address, std::uint16_t port, Forward forward, std::uint32_t weight) {
  Destination d;
  d.address = ip(address);
  d.port = port;
  d.forward = forward;
  d.weight = weight;
  return d;
}

}  // namespace

TEST_CASE("ipvs-vm: add, dump, edit and delete an IPv4 TCP service with every forwarding method") {
  run([](IpvsClient& ipvs) -> asio::awaitable<void> {
    const Service web = tcp_service("192.0.2.10", 80, "wrr");
    REQUIRE(co_await ipvs.add_service(web));
    Destination masq = destination("198.51.100.1", 8080, Forward::kMasq, 3);
    masq.upper_threshold = 100;
    masq.lower_threshold = 10;
    const Destination route = destination("198.51.100.2", 80, Forward::kRoute, 1);
    Destination tunnel = destination("198.51.100.3", 80, Forward::kTunnel, 2);
    tunnel.tunnel_type = vigil::ipvs::TunnelType::kGue;
    tunnel.tunnel_port = 6080;
    for (const auto& d : {masq, route, tunnel}) {
      auto added = co_await ipvs.add_destination(web.key, d);
      INFO((added ? std::string() : added.error().to_string()));
      CHECK(added);
    }
    auto dumped = co_await ipvs.dump();
    REQUIRE(dumped);
    REQUIRE(dumped->size() == 1);
    CHECK((*dumped)[0].service == web);
    REQUIRE((*dumped)[0].destinations.size() == 3);
    for (const auto& d : {masq, route, tunnel}) {
      bool found = false;
      for (const auto& have : (*dumped)[0].destinations) found = found || have == d;
      CAPTURE(d.to_string());
      CHECK(found);
    }
    const std::string saved = shell("ipvsadm -Sn");
    MESSAGE(saved);
    CHECK(has_line(saved, "-A -t 192.0.2.10:80 -s wrr"));
    CHECK(has_line(saved, "-a -t 192.0.2.10:80 -r 198.51.100.1:8080 -m -w 3"));  // -S omits thresholds
    const std::string thresholds = shell("ipvsadm -Ln --thresholds");
    CHECK(thresholds.find("198.51.100.1:8080") != std::string::npos);
    CHECK(thresholds.find("100        10") != std::string::npos);
    CHECK(has_line(saved, "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 1"));
    CHECK(saved.find("-a -t 192.0.2.10:80 -r 198.51.100.3:80 -i -w 2") != std::string::npos);

    // Edit in place: persistence and scheduler, a weight.
    Service edited = web;
    edited.scheduler = "lc";
    edited.flags = vigil::ipvs::kFlagPersistent;
    edited.timeout = 300;
    REQUIRE(co_await ipvs.edit_service(edited));
    Destination heavier = route;
    heavier.weight = 9;
    REQUIRE(co_await ipvs.edit_destination(web.key, heavier));
    const std::string after = shell("ipvsadm -Sn");
    CHECK(has_line(after, "-A -t 192.0.2.10:80 -s lc -p 300"));
    CHECK(has_line(after, "-a -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 9"));

    REQUIRE(co_await ipvs.delete_destination(web.key, masq));
    auto left = co_await ipvs.destinations(web.key);
    REQUIRE(left);
    CHECK(left->size() == 2);
    REQUIRE(co_await ipvs.delete_service(web.key));
    auto none = co_await ipvs.services();
    REQUIRE(none);
    CHECK(none->empty());
  });
}

TEST_CASE("ipvs-vm: IPv6 UDP and SCTP services, fwmark services of both families") {
  run([](IpvsClient& ipvs) -> asio::awaitable<void> {
    Service dns;
    dns.key = ServiceKey::for_address(ip("2001:db8::53"), 53, Protocol::kUdp);
    dns.scheduler = "rr";
    dns.netmask = 128;
    Service sctp;
    sctp.key = ServiceKey::for_address(ip("192.0.2.20"), 3868, Protocol::kSctp);
    sctp.scheduler = "rr";
    Service mark4;
    mark4.key = ServiceKey::for_fwmark(7, Family::kIPv4);
    mark4.scheduler = "rr";
    mark4.flags = vigil::ipvs::kFlagPersistent;
    mark4.timeout = 60;
    mark4.netmask = Service::netmask_for(Family::kIPv4, 24);
    Service mark6;
    mark6.key = ServiceKey::for_fwmark(8, Family::kIPv6);
    mark6.scheduler = "sh";
    mark6.flags = vigil::ipvs::kFlagSched1 | vigil::ipvs::kFlagSched2;
    mark6.netmask = 128;
    for (const auto& s : {dns, sctp, mark4, mark6}) {
      auto added = co_await ipvs.add_service(s);
      INFO((added ? std::string() : added.error().to_string()));
      CHECK(added);
    }
    const Destination v6 = destination("2001:db8::1", 53, Forward::kMasq, 1);
    REQUIRE(co_await ipvs.add_destination(dns.key, v6));
    const Destination fw6 = destination("2001:db8::2", 0, Forward::kRoute, 1);
    REQUIRE(co_await ipvs.add_destination(mark6.key, fw6));
    auto dumped = co_await ipvs.dump();
    REQUIRE(dumped);
    CHECK(dumped->size() == 4);
    for (const auto& state : *dumped) {
      CAPTURE(state.service.key.to_string());
      const bool known =
          state.service == dns || state.service == sctp || state.service == mark4 || state.service == mark6;
      CHECK(known);
      if (state.service.key == dns.key) CHECK(state.destinations == std::vector<Destination>{v6});
      if (state.service.key == mark6.key) CHECK(state.destinations == std::vector<Destination>{fw6});
    }
    const std::string saved = shell("ipvsadm -Sn");
    MESSAGE(saved);
    CHECK(has_line(saved, "-A -u [2001:db8::53]:53 -s rr"));
    CHECK(has_line(saved, "-A -f 7 -s rr -p 60 -M 255.255.255.0"));
    CHECK(saved.find("-A -f 8 -6 -s sh") != std::string::npos);
    CHECK(has_line(saved, "-a -u [2001:db8::53]:53 -r [2001:db8::1]:53 -m -w 1"));
  });
}

TEST_CASE("ipvs-vm: the kernel's errors come back as values (duplicate add, missing service)") {
  run([](IpvsClient& ipvs) -> asio::awaitable<void> {
    const Service web = tcp_service("192.0.2.10", 80, "rr");
    REQUIRE(co_await ipvs.add_service(web));
    auto again = co_await ipvs.add_service(web);
    REQUIRE_FALSE(again);
    CHECK(net::netlink::has_errno(again.error(), EEXIST));
    CHECK(again.error().to_string().find("add service TCP 192.0.2.10:80") != std::string::npos);
    const Service missing = tcp_service("192.0.2.99", 80, "rr");
    auto gone = co_await ipvs.delete_service(missing.key);
    REQUIRE_FALSE(gone);
    CHECK(net::netlink::has_errno(gone.error(), ESRCH));
    const Destination d = destination("198.51.100.1", 80, Forward::kMasq, 1);
    auto orphan = co_await ipvs.add_destination(missing.key, d);
    REQUIRE_FALSE(orphan);
    CHECK(net::netlink::has_errno(orphan.error(), ESRCH));
    REQUIRE(co_await ipvs.add_destination(web.key, d));
    auto twice = co_await ipvs.add_destination(web.key, d);
    REQUIRE_FALSE(twice);
    CHECK(net::netlink::has_errno(twice.error(), EEXIST));
    const Service bad = tcp_service("192.0.2.11", 80, "no-such-scheduler");
    auto refused = co_await ipvs.add_service(bad);
    REQUIRE_FALSE(refused);
    MESSAGE(refused.error().to_string());
  });
}

TEST_CASE("ipvs-vm: daemon timeouts") {
  run([](IpvsClient& ipvs) -> asio::awaitable<void> {
    const Timeouts wanted{900, 60, 200};
    REQUIRE(co_await ipvs.set_timeouts(wanted));
    auto now = co_await ipvs.timeouts();
    REQUIRE(now);
    CHECK(*now == wanted);
    CHECK(shell("ipvsadm -L --timeout").find("900 60 200") != std::string::npos);
  });
}

TEST_CASE("ipvs-vm: reconcile a dump with the desired state, batched; foreign services stay") {
  run([](IpvsClient& ipvs) -> asio::awaitable<void> {
    // Someone else's service, and a stale one of ours with a stale destination.
    const Service foreign = tcp_service("192.0.2.50", 80, "rr");
    REQUIRE(co_await ipvs.add_service(foreign));
    const Service stale = tcp_service("192.0.2.60", 80, "rr");
    REQUIRE(co_await ipvs.add_service(stale));
    const Service web = tcp_service("192.0.2.10", 80, "rr");
    REQUIRE(co_await ipvs.add_service(web));
    const Destination old = destination("198.51.100.9", 80, Forward::kMasq, 1);
    REQUIRE(co_await ipvs.add_destination(web.key, old));

    vigil::ipvs::ServiceState want{tcp_service("192.0.2.10", 80, "wlc"), {}};
    for (int i = 1; i <= 200; ++i) {
      Destination d;
      d.address = IpAddress::v4({198, 51, 100, static_cast<std::uint8_t>(i % 250 + 1)});
      d.port = static_cast<std::uint16_t>(8000 + i);
      d.weight = 1;
      want.destinations.push_back(d);
    }
    auto kernel = co_await ipvs.dump();
    REQUIRE(kernel);
    const std::set<ServiceKey> ours{stale.key, web.key};
    auto changes = vigil::ipvs::reconcile({want}, *kernel, ours);
    CHECK(changes.size() == 1 + 1 + 1 + 200);  // delete stale, edit web, delete old dest, 200 adds
    auto results = co_await ipvs.apply(std::move(changes));
    for (const auto& r : results) {
      INFO((r ? std::string() : r.error().to_string()));
      CHECK(r);
    }
    auto after = co_await ipvs.dump();
    REQUIRE(after);
    CHECK(vigil::ipvs::reconcile({want}, *after, ours).empty());
    CHECK(after->size() == 2);  // web and the foreign one
    // One bad change in a batch fails alone.
    std::vector<Change> mixed{vigil::ipvs::AddService{web.key == want.service.key ? want.service : web},
                              vigil::ipvs::DeleteService{foreign.key}};
    auto mixed_results = co_await ipvs.apply(std::move(mixed));
    REQUIRE(mixed_results.size() == 2);
    CHECK_FALSE(mixed_results[0]);
    CHECK(mixed_results[1]);
  });
}

TEST_CASE("ipvs-vm: programming many destinations, Vigil batched vs ipvsadm -R (figure, no assertion on speed)") {
  const char* env = std::getenv("VIGIL_IPVS_BENCH_DESTINATIONS");
  const int count = env != nullptr ? std::atoi(env) : 1000;
  run([count](IpvsClient& ipvs) -> asio::awaitable<void> {
    const int per_service = 100;
    std::vector<Change> changes;
    std::ofstream restore("/tmp/restore.txt");
    for (int s = 0; s * per_service < count; ++s) {
      Service svc = tcp_service("192.0.2.10", static_cast<std::uint16_t>(1000 + s), "wrr");
      changes.emplace_back(vigil::ipvs::AddService{svc});
      restore << "-A -t 192.0.2.10:" << 1000 + s << " -s wrr\n";
      for (int d = 0; d < per_service && s * per_service + d < count; ++d) {
        Destination dest;
        dest.address =
            IpAddress::v4({10, 0, static_cast<std::uint8_t>(d / 250), static_cast<std::uint8_t>(d % 250 + 1)});
        dest.port = 80;
        changes.emplace_back(vigil::ipvs::AddDestination{svc.key, dest});
        restore << "-a -t 192.0.2.10:" << 1000 + s << " -r " << dest.address.to_string() << ":80 -m -w 1\n";
      }
    }
    restore.close();
    const auto t0 = std::chrono::steady_clock::now();
    auto results = co_await ipvs.apply(std::move(changes));
    const auto t1 = std::chrono::steady_clock::now();
    for (const auto& r : results) REQUIRE(r);
    REQUIRE(co_await ipvs.flush());
    const auto t2 = std::chrono::steady_clock::now();
    CHECK(std::system("ipvsadm -R < /tmp/restore.txt") == 0);
    const auto t3 = std::chrono::steady_clock::now();
    const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
    std::printf("IPVS-BENCH destinations=%d vigil_ms=%.1f ipvsadm_restore_ms=%.1f ratio=%.2f\n", count, ms(t1 - t0),
                ms(t3 - t2), ms(t1 - t0) / ms(t3 - t2));
    REQUIRE(co_await ipvs.flush());
  });
}

TEST_CASE("ipvs-vm: the pool's decisions reach the kernel (server down/up, inhibit, quorum, sorry server)") {
  run([](IpvsClient& ipvs) -> asio::awaitable<void> {
    using namespace vigil::ipvs;
    VirtualServerSpec spec;
    spec.services = {tcp_service("192.0.2.10", 80, "wrr")};
    for (const char* address : {"198.51.100.1", "198.51.100.2", "198.51.100.3"}) {
      RealServerSpec real;
      real.destination.address = ip(address);
      real.destination.weight = 1;
      real.port_from_service = true;
      real.checker_starts_up = {true};
      spec.real_servers.push_back(real);
    }
    spec.real_servers[2].inhibit_on_failure = true;
    spec.quorum = 2;
    SorryServerSpec sorry;
    sorry.destination.address = ip("203.0.113.9");
    sorry.port_from_service = true;
    spec.sorry_server = sorry;
    Pool pool({spec});

    // What the daemon does: reconcile at start, then apply each PoolChanged as destination diffs.
    auto kernel = co_await ipvs.dump();
    REQUIRE(kernel);
    auto programmed = pool.desired(0);
    auto initial = reconcile(programmed, *kernel, {});
    for (const auto& r : co_await ipvs.apply(std::move(initial))) REQUIRE(r);
    struct Step {
      std::size_t real_server;
      bool up;
      const char* expected;  // ipvsadm -Sn destination lines, sorted by ipvsadm
    };
    const Step steps[] = {
        {0, false, "198.51.100.2:80 -m -w 1|198.51.100.3:80 -m -w 1"},
        {2, false, "203.0.113.9:80 -m -w 1|198.51.100.3:80 -m -w 0"},  // quorum lost: sorry + inhibited
        {0, true, "198.51.100.1:80 -m -w 1|198.51.100.2:80 -m -w 1|198.51.100.3:80 -m -w 0"},  // regained
        {2, true, "198.51.100.1:80 -m -w 1|198.51.100.2:80 -m -w 1|198.51.100.3:80 -m -w 1"},
    };
    for (const auto& step : steps) {
      CAPTURE(step.real_server);
      CAPTURE(step.up);
      const Verdict verdict{0, step.real_server, 0, step.up, {}};
      auto actions = pool.on_verdict(verdict);
      const auto desired = pool.desired(0);
      auto changes = reconcile_destinations(desired, programmed);
      for (const auto& r : co_await ipvs.apply(std::move(changes))) REQUIRE(r);
      programmed = desired;
      auto dumped = co_await ipvs.dump();
      REQUIRE(dumped);
      CHECK(reconcile_destinations(desired, *dumped).empty());
      const std::string saved = shell("ipvsadm -Sn");
      std::string rest = step.expected;
      std::size_t count = 0;
      while (!rest.empty()) {
        const auto bar = rest.find('|');
        const std::string part = rest.substr(0, bar);
        rest = bar == std::string::npos ? "" : rest.substr(bar + 1);
        CAPTURE(part);
        CHECK(saved.find("-r " + part) != std::string::npos);
        ++count;
      }
      std::size_t lines = 0;
      for (std::size_t at = saved.find("\n-a "); at != std::string::npos; at = saved.find("\n-a ", at + 1)) ++lines;
      if (saved.rfind("-a ", 0) == 0) ++lines;
      CHECK(lines == count);
    }
  });
}
