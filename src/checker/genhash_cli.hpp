#pragma once
// The command line of genhash, shared by `vigil-genhash URL` and `vigilctl genhash URL` so both
// take the same options.
#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

#include "checker/genhash.hpp"

namespace vigil::checker {

struct GenhashCommandLine {
  GenhashOptions options;
  std::string version = "1.0";
  double timeout_seconds = 5;

  // After parsing: the options run_genhash takes.
  [[nodiscard]] GenhashOptions resolved() const {
    GenhashOptions out = options;
    out.version = version == "1.1"    ? check::HttpVersion::k11
                  : version == "1.0C" ? check::HttpVersion::k10Close
                                      : check::HttpVersion::k10;
    out.timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(timeout_seconds));
    return out;
  }
};

inline void add_genhash_options(CLI::App& app, GenhashCommandLine& line) {
  app.add_option("url", line.options.url, "http://host[:port]/path or https://...")->required();
  app.add_flag("-v,--verbose", line.options.verbose, "show the request, the response headers and TLS details");
  app.add_option("--virtualhost", line.options.virtualhost, "Host: header (default: the URL's host)");
  app.add_option("--sni", line.options.sni, "TLS server name (default: the URL's host when it is a name)");
  app.add_flag("--verify", line.options.verify_certificate, "verify the server certificate and name");
  app.add_option("--http-protocol", line.version, "1.0, 1.0C or 1.1")->check(CLI::IsMember({"1.0", "1.0C", "1.1"}));
  app.add_option("--timeout", line.timeout_seconds, "seconds")->check(CLI::PositiveNumber);
}

}  // namespace vigil::checker
