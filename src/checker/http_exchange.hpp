#pragma once
// One HTTP request/response over any Asio stream (a TCP socket or a TLS stream): write the
// request, read until the body is complete or the peer closes.
#include <array>
#include <asio/read.hpp>
#include <asio/ssl/error.hpp>
#include <asio/write.hpp>
#include <string>

#include "base/result.hpp"
#include "check/http.hpp"
#include "rt/tokens.hpp"

namespace vigil::checker {

template <class Stream>
rt::Task<Result<check::HttpResponseReader>> exchange_http(Stream& stream, std::string request) {
  auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(request), rt::use_nothrow);
  (void)written;
  if (write_error) co_return fail(make_error(write_error, "cannot send the request"));
  check::HttpResponseReader reader;
  std::array<char, 8192> buffer{};
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), rt::use_nothrow);
    if (n > 0 && !reader.feed(std::string_view(buffer.data(), n))) break;
    if (reader.complete()) break;
    // A TLS peer that closes without close_notify ends the stream like EOF (HTTP/1.0 servers do).
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      reader.finish();
      break;
    }
    if (ec) co_return fail(make_error(ec, "cannot read the response"));
  }
  co_return reader;
}

}  // namespace vigil::checker
