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

// Incremental HTTP/1.x response reader: status line, headers, then the body into an MD5 digest.
// The body ends at Content-Length, else at the end of the stream (`finish()`).
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
  [[nodiscard]] const std::string& head() const { return head_; }  // status line and headers as received
  [[nodiscard]] std::uint64_t body_bytes() const { return body_bytes_; }
  // Lower-case hex MD5 of the body; valid once complete().
  [[nodiscard]] const std::string& digest() const { return digest_; }

 private:
  bool parse_head();
  void finish_body();

  struct DigestContext;
  std::unique_ptr<DigestContext> md5_;
  std::string head_;
  bool in_body_ = false;
  bool complete_ = false;
  std::string error_;
  std::optional<int> status_;
  std::optional<std::uint64_t> content_length_;
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
