#pragma once
// HTTP_GET / SSL_GET protocol logic: the request a check sends and the judgement of the answer
// (status code in the accepted ranges, MD5 of the body equal to the expected digest). The bytes are
// fed in as they arrive, so the driver never holds a whole body.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::check {

enum class HttpVersion { k10, k10Close, k11 };

struct HttpRequestSpec {
  std::string path = "/";
  std::string host;         // Host: header value without the port
  std::uint16_t port = 80;  // appended to Host: unless it is the scheme's default
  bool tls = false;
  HttpVersion version = HttpVersion::k10;
};

[[nodiscard]] std::string build_http_request(const HttpRequestSpec& spec);

struct StatusRangeSpec {
  std::uint16_t first = 200;
  std::uint16_t last = 299;
  friend bool operator==(const StatusRangeSpec&, const StatusRangeSpec&) = default;
};

// Transfer-Encoding: chunked (RFC 9112 §7.1) as a byte-at-a-time state machine: framed bytes in,
// the payload out, in pieces as they arrive. Chunk extensions and trailer fields are read and
// dropped. Hostile input (a size that does not fit 63 bits, lines over 4 KiB, trailers over
// 64 KiB, a chunk not followed by CRLF) is an error; a bare LF is accepted where CRLF is due.
class ChunkedDecoder {
 public:
  // Appends the payload carried by `bytes` to `payload`. Returns false once the framing is
  // malformed (error() says why). Bytes after the last chunk's trailer are ignored.
  bool feed(std::string_view bytes, std::string& payload);

  [[nodiscard]] bool done() const { return state_ == State::kDone; }
  [[nodiscard]] bool failed() const { return state_ == State::kFailed; }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  enum class State { kSize, kExtension, kSizeLf, kData, kDataCr, kDataLf, kTrailer, kTrailerLf, kDone, kFailed };
  bool fail(std::string why);

  State state_ = State::kSize;
  std::uint64_t size_ = 0;      // of the chunk being read (kSize) or what is left of it (kData)
  bool has_digits_ = false;     // the size line has at least one hex digit
  bool size_ended_ = false;     // whitespace after the digits: only an extension or CRLF may follow
  std::size_t line_bytes_ = 0;  // of the current size or trailer line
  std::size_t trailer_bytes_ = 0;
  std::string error_;
};

// Incremental HTTP/1.x response reader: status line, headers, then the body into an MD5 digest.
// A chunked body (Transfer-Encoding: chunked, which overrides Content-Length) is digested
// de-chunked, as keepalived does, and ends with its last chunk; any other body ends at
// Content-Length, else at the end of the stream (`finish()`).
class HttpResponseReader {
 public:
  HttpResponseReader();
  ~HttpResponseReader();
  HttpResponseReader(HttpResponseReader&&) noexcept;
  HttpResponseReader& operator=(HttpResponseReader&&) noexcept;

  // Feeds received bytes. Returns false once the response is malformed (error() says why).
  bool feed(std::string_view bytes);
  // The peer closed the stream.
  void finish();

  [[nodiscard]] bool complete() const { return complete_; }  // the whole body has been seen
  [[nodiscard]] bool failed() const { return !error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::optional<int> status() const { return status_; }
  [[nodiscard]] const std::string& head() const { return head_; }         // status line and headers as received
  [[nodiscard]] std::uint64_t body_bytes() const { return body_bytes_; }  // payload, without chunk framing
  [[nodiscard]] bool chunked() const { return chunked_.has_value(); }
  // Lower-case hex MD5 of the body; valid once complete().
  [[nodiscard]] const std::string& digest() const { return digest_; }

 private:
  bool parse_head();
  void finish_body();
  void digest_body(std::string_view payload);

  struct DigestContext;
  std::unique_ptr<DigestContext> md5_;
  std::string head_;
  bool in_body_ = false;
  bool complete_ = false;
  std::string error_;
  std::optional<int> status_;
  std::optional<std::uint64_t> content_length_;
  std::optional<ChunkedDecoder> chunked_;
  std::string payload_;  // scratch for the de-chunked bytes of one feed()
  std::uint64_t body_bytes_ = 0;
  std::string digest_;
};

struct HttpExpectation {
  std::vector<StatusRangeSpec> status_codes;  // empty: 200-299
  std::optional<std::string> digest;          // lower-case hex MD5
  friend bool operator==(const HttpExpectation&, const HttpExpectation&) = default;
};

// nullopt when the response passes, else why it failed.
[[nodiscard]] std::optional<std::string> judge_http_response(const HttpResponseReader& response,
                                                             const HttpExpectation& expectation);

// One-shot MD5 as lower-case hex (genhash, tests).
[[nodiscard]] std::string md5_hex(std::string_view data);

}  // namespace vigil::check
