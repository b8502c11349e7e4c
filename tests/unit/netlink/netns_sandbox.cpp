#include "netns_sandbox.hpp"

#include <doctest/doctest.h>

#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>

namespace vigil::test {

void run_in_netns(const std::function<void()>& body) {
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      if (::unshare(CLONE_NEWNET) != 0) {
        throw std::runtime_error(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
      }
      body();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

void run_coroutine_in_netns(const std::function<asio::awaitable<void>()>& body) {
  run_in_netns([&] {
    asio::io_context context(1);
    std::exception_ptr failure;
    bool finished = false;
    asio::co_spawn(context, body(), [&](const std::exception_ptr& e) {
      failure = e;
      finished = true;
    });
    context.run();
    if (failure) std::rethrow_exception(failure);
    if (!finished) throw std::runtime_error("test coroutine never finished");
  });
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> chunk{};
  std::size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), pipe)) > 0) result.output.append(chunk.data(), n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

nlohmann::json ip_json(const std::string& args) {
  const auto result = run_command("ip -j " + args);
  INFO("ip -j " << args << " -> " << result.output);
  REQUIRE(result.status == 0);
  if (result.output.find_first_not_of(" \n") == std::string::npos) return nlohmann::json::array();
  return nlohmann::json::parse(result.output);
}

std::vector<std::string> ip_addresses(const std::string& device) {
  std::vector<std::string> addresses;
  for (const auto& link : ip_json("addr show dev " + device)) {
    for (const auto& info : link.value("addr_info", nlohmann::json::array())) {
      addresses.push_back(info.at("local").get<std::string>() + "/" + std::to_string(info.at("prefixlen").get<int>()));
    }
  }
  return addresses;
}

void make_veth_pair(bool up) {
  // DAD would keep IPv6 test addresses tentative for a while; nothing here needs it.
  run_command("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
  REQUIRE(run_command("ip link add veth0 type veth peer name veth1").status == 0);
  if (up) REQUIRE(run_command("ip link set veth0 up && ip link set veth1 up").status == 0);
}

int ifindex_of(const std::string& device) { return static_cast<int>(::if_nametoindex(device.c_str())); }

}  // namespace vigil::test
