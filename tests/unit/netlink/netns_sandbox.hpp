#pragma once
// Test helpers: run a test body inside a private network namespace and inspect it with `ip -j`.
#include <asio/awaitable.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace vigil::test {

// Runs `body` on a new thread that first unshare(CLONE_NEWNET)s: the namespace belongs to that
// thread alone and vanishes when it ends, whatever the body does. Child processes started by the
// body (`ip ...`) inherit the namespace. Exceptions (doctest REQUIRE failures too) are rethrown here.
void run_in_netns(const std::function<void()>& body);

// As run_in_netns, with a coroutine on a fresh single-threaded io_context in that thread.
void run_coroutine_in_netns(const std::function<asio::awaitable<void>()>& body);

struct CommandResult {
  int status = -1;  // exit status, -1 when it did not exit normally
  std::string output;
};
// /bin/sh -c `command` (stderr merged into output).
CommandResult run_command(const std::string& command);
// `ip -j <args>` parsed; an empty array when ip printed nothing.
nlohmann::json ip_json(const std::string& args);
// The addresses `ip -j addr show dev <device>` lists, as "addr/len".
std::vector<std::string> ip_addresses(const std::string& device);
// Creates veth0 <-> veth1 in the calling thread's namespace, both up when `up`.
void make_veth_pair(bool up);
int ifindex_of(const std::string& device);

}  // namespace vigil::test
