#pragma once
// genhash: fetch a URL the way an HTTP_GET / SSL_GET checker does and print the MD5 digest of the
// body that a `digest` setting would expect.
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "base/duration.hpp"
#include "base/result.hpp"
#include "check/http.hpp"

namespace vigil::checker {

struct ParsedUrl {
  bool tls = false;
  std::string host;  // a name or an address literal (no brackets)
  std::uint16_t port = 80;
  std::string path = "/";
};

// http://host[:port][/path], https://..., IPv6 literals in brackets.
[[nodiscard]] Result<ParsedUrl> parse_url(std::string_view url);

struct GenhashOptions {
  std::string url;
  bool verbose = false;
  std::optional<std::string> virtualhost;  // Host: header (default: the URL's host)
  std::optional<std::string> sni;          // https: SNI name (default: the URL's host when it is a name)
  bool verify_certificate = false;
  check::HttpVersion version = check::HttpVersion::k10;
  Duration timeout = std::chrono::seconds(5);
};

// Prints "MD5SUM = <hex>" and "HTTP status = <code>" (and with verbose the request, response head and body size) to
// `out`, errors to `err`. Returns the exit status: 0 digest printed, 1 failure.
int run_genhash(const GenhashOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vigil::checker
