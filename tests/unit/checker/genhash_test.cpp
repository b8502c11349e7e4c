// genhash's URL parsing (the fetch itself is covered by the checkers-netns integration test).
#include "checker/genhash.hpp"

#include <doctest/doctest.h>

using vigil::checker::parse_url;

TEST_CASE("genhash: URLs") {
  auto a = parse_url("http://192.0.2.1/health?x=1");
  REQUIRE(a);
  CHECK_FALSE(a->tls);
  CHECK(a->host == "192.0.2.1");
  CHECK(a->port == 80);
  CHECK(a->path == "/health?x=1");
  auto b = parse_url("https://[2001:db8::1]:8443");
  REQUIRE(b);
  CHECK(b->tls);
  CHECK(b->host == "2001:db8::1");
  CHECK(b->port == 8443);
  CHECK(b->path == "/");
  auto c = parse_url("https://www.example.test/");
  REQUIRE(c);
  CHECK(c->port == 443);
  CHECK_FALSE(parse_url("ftp://x/"));
  CHECK_FALSE(parse_url("http://:80/"));
  CHECK_FALSE(parse_url("http://host:99999/"));
  CHECK_FALSE(parse_url("http://[2001:db8::1/"));
}
