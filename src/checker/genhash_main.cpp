// vigil-genhash URL: the MD5 digest an http_get / ssl_get `digest` setting expects for URL.
// `vigilctl genhash URL` is the same command (genhash_cli.hpp); this binary needs no daemon.
#include <CLI/CLI.hpp>
#include <iostream>

#include "checker/genhash_cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Print the MD5 digest of a URL's body, as http_get / ssl_get `digest` expects it"};
  vigil::checker::GenhashCommandLine line;
  vigil::checker::add_genhash_options(app, line);
  CLI11_PARSE(app, argc, argv);
  return vigil::checker::run_genhash(line.resolved(), std::cout, std::cerr);
}
