// The metrics listener's request routing and response framing (no sockets).
#include <doctest/doctest.h>

#include "control/server.hpp"

using vigil::control::HttpResponse;
using vigil::control::route_request;

TEST_CASE("http: GET /metrics is served and everything else is answered by a status") {
  CHECK_FALSE(route_request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").has_value());
  CHECK_FALSE(route_request("GET /metrics?name[]=x HTTP/1.0\r\n\r\n").has_value());
  CHECK_FALSE(route_request("HEAD /metrics HTTP/1.1\r\n\r\n").has_value());
  CHECK(route_request("GET /other HTTP/1.1\r\n\r\n")->status == 404);
  CHECK(route_request("POST /metrics HTTP/1.1\r\n\r\n")->status == 405);
  CHECK(route_request("garbage\r\n\r\n")->status == 400);
  CHECK(route_request("GET /metrics SPDY/3\r\n\r\n")->status == 400);
  CHECK(route_request("GET / HTTP/1.1\r\n\r\n")->status == 200);
}

TEST_CASE("http: responses carry length and close the connection") {
  const std::string text = HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", "a 1\n"}.serialize();
  CHECK(text ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 4\r\n"
        "Connection: close\r\n\r\na 1\n");
  CHECK(HttpResponse{405, "text/plain", ""}.serialize().find("Allow: GET, HEAD\r\n") != std::string::npos);
}
