// Transfer-Encoding: chunked: the decoder on its own (table, every split point, hostile sizes,
// truncation, trailers) and the response reader digesting the de-chunked body.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "check/http.hpp"

using namespace vigil::check;

namespace {

struct Decoded {
  std::string payload;
  bool done = false;
  bool failed = false;
  std::string error;
};

// Feeds `framed` in pieces of `step` bytes (0: all at once).
Decoded decode(const std::string& framed, std::size_t step = 0) {
  ChunkedDecoder decoder;
  Decoded out;
  if (step == 0) step = framed.size() + 1;
  for (std::size_t at = 0; at < framed.size(); at += step) {
    if (!decoder.feed(std::string_view(framed).substr(at, step), out.payload)) break;
  }
  out.done = decoder.done();
  out.failed = decoder.failed();
  out.error = decoder.error();
  return out;
}

}  // namespace

TEST_CASE("chunked: well-formed bodies (table), fed whole and one byte at a time") {
  struct Case {
    const char* name;
    std::string framed;
    std::string payload;
  };
  const std::vector<Case> cases{
      {"two chunks", "3\r\nhea\r\n5\r\nlthy\n\r\n0\r\n\r\n", "healthy\n"},
      {"upper and lower hex", "A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij"},
      {"leading zeros", "0003\r\nabc\r\n00\r\n\r\n", "abc"},
      {"extensions", "3;name=value;x=\"a;b\"\r\nabc\r\n0;last\r\n\r\n", "abc"},
      {"whitespace before an extension", "3 ;ext\r\nabc\r\n0\r\n\r\n", "abc"},
      {"trailer fields", "3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n", "abc"},
      {"bare LF line ends", "3\nabc\n0\n\n", "abc"},
      {"empty body", "0\r\n\r\n", ""},
      {"CRLF inside the data is data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n"},
  };
  for (const auto& c : cases) {
    for (const std::size_t step : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{5}}) {
      INFO(c.name << ", pieces of " << step);
      const auto out = decode(c.framed, step);
      CHECK_FALSE(out.failed);
      CHECK(out.done);
      CHECK(out.payload == c.payload);
    }
  }
}

TEST_CASE("chunked: bytes after the last chunk are ignored") {
  const auto out = decode("3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n");
  CHECK(out.done);
  CHECK(out.payload == "abc");
}

TEST_CASE("chunked: malformed and hostile framing fails with a reason (table)") {
  struct Case {
    const char* name;
    std::string framed;
    const char* reason;
  };
  const std::vector<Case> cases{
      {"no size", "\r\nabc\r\n", "without a size"},
      {"not hex", "xyz\r\n", "without a size"},
      {"junk after the digits", "3z\r\nabc\r\n", "not a hex digit"},
      {"size over 63 bits", "8000000000000000\r\n", "63 bits"},
      {"a huge number of digits", std::string(100, 'f') + "\r\n", "63 bits"},
      {"negative size", "-1\r\n", "without a size"},
      {"data longer than its size", "3\r\nabcd\r\n0\r\n\r\n", "longer than its size"},
      {"CR without LF after the data", "3\r\nabc\rX", "not followed by CRLF"},
      {"CR without LF after the size", "3\rabc", "not ended by CRLF"},
      {"endless extension", "3;" + std::string(5000, 'x'), "longer than 4 KiB"},
      {"endless trailer", "0\r\n" + std::string(70000, 'x'), "longer than 64 KiB"},
      {"trailer CR without LF", "0\r\nX: 1\rY", "trailer line not ended by CRLF"},
  };
  for (const auto& c : cases) {
    for (const std::size_t step : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
      INFO(c.name << ", pieces of " << step);
      const auto out = decode(c.framed, step);
      CHECK(out.failed);
      CHECK_FALSE(out.done);
      CHECK(out.error.find(c.reason) != std::string::npos);
    }
  }
}

TEST_CASE("chunked: truncated input is neither done nor failed (the reader decides at end of stream)") {
  const std::string whole = "3\r\nabc\r\n2;e\r\nde\r\n0\r\nT: 1\r\n\r\n";
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    INFO("cut at " << cut);
    const auto out = decode(whole.substr(0, cut), 1);
    CHECK_FALSE(out.failed);
    CHECK_FALSE(out.done);
  }
  CHECK(decode(whole).done);
  // A size announcing far more than arrives: still waiting, nothing invented.
  const auto big = decode("7fffffffffffffff\r\nabc");
  CHECK_FALSE(big.failed);
  CHECK_FALSE(big.done);
  CHECK(big.payload == "abc");
}

TEST_CASE("http: a chunked response is digested de-chunked, split anywhere") {
  const std::string response =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 999\r\n\r\n"
      "3;ext=1\r\nhea\r\n5\r\nlthy\n\r\n0\r\nX-Trailer: yes\r\n\r\n";
  for (std::size_t split = 0; split <= response.size(); ++split) {
    INFO("split at " << split);
    HttpResponseReader reader;
    CHECK(reader.feed(response.substr(0, split)));
    CHECK(reader.feed(response.substr(split)));
    REQUIRE(reader.complete());  // ends with its last chunk, before the end of the stream
    CHECK(reader.chunked());
    CHECK(reader.body_bytes() == 8);
    CHECK(reader.digest() == md5_hex("healthy\n"));
    CHECK_FALSE(judge_http_response(reader, {{}, md5_hex("healthy\n")}));
  }
}

TEST_CASE("http: Transfer-Encoding names chunked last, in any case - other codings are not chunked") {
  HttpResponseReader listed;
  CHECK(listed.feed("HTTP/1.1 200 OK\r\ntransfer-encoding:  gzip, CHUNKED \r\n\r\n1\r\nx\r\n0\r\n\r\n"));
  CHECK(listed.complete());
  CHECK(listed.digest() == md5_hex("x"));

  HttpResponseReader identity;
  CHECK(identity.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n1\r\nx\r\n"));
  CHECK_FALSE(identity.chunked());
  identity.finish();
  CHECK(identity.digest() == md5_hex("1\r\nx\r\n"));
}

TEST_CASE("http: a chunked body cut short or malformed fails the check") {
  HttpResponseReader cut;
  CHECK(cut.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhea"));
  cut.finish();
  CHECK(cut.failed());
  CHECK(cut.error().find("inside the chunked body") != std::string::npos);
  CHECK(judge_http_response(cut, {}).has_value());

  HttpResponseReader bad;
  CHECK_FALSE(bad.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  CHECK(bad.failed());
  CHECK(judge_http_response(bad, {}).value_or("").find("chunked body") != std::string::npos);
}
