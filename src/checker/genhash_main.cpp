// vigil-genhash URL: the MD5 digest an http_get / ssl_get `digest` setting expects for URL.
// (Standalone until vigilctl gains `vigilctl genhash`, which will call run_genhash too.)
#include <CLI/CLI.hpp>
#include <iostream>

#include "checker/genhash.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Print the MD5 digest of a URL's body, as http_get / ssl_get `digest` expects it"};
  vigil::checker::GenhashOptions options;
  std::string version = "1.0";
  double timeout_seconds = 5;
  app.add_option("url", options.url, "http://host[:port]/path or https://...")->required();
  app.add_flag("-v,--verbose", options.verbose, "show the request, the response headers and TLS details");
  app.add_option("--virtualhost", options.virtualhost, "Host: header (default: the URL's host)");
  app.add_option("--sni", options.sni, "TLS server name (default: the URL's host when it is a name)");
  app.add_flag("--verify", options.verify_certificate, "verify the server certificate and name");
  app.add_option("--http-protocol", version, "1.0, 1.0C or 1.1")->check(CLI::IsMember({"1.0", "1.0C", "1.1"}));
  app.add_option("--timeout", timeout_seconds, "seconds")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  options.version = version == "1.1"    ? vigil::check::HttpVersion::k11
                    : version == "1.0C" ? vigil::check::HttpVersion::k10Close
                                        : vigil::check::HttpVersion::k10;
  options.timeout = std::chrono::duration_cast<vigil::Duration>(std::chrono::duration<double>(timeout_seconds));
  return vigil::checker::run_genhash(options, std::cout, std::cerr);
}
