#include "check/http.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace vigil::check {

namespace {

constexpr std::size_t kMaxHeadBytes = 64 * 1024;
constexpr std::size_t kMaxChunkLine = 4 * 1024;      // a size line with its extensions
constexpr std::size_t kMaxTrailerBytes = 64 * 1024;  // all trailer fields together
constexpr std::uint64_t kMaxChunkSize = (std::uint64_t{1} << 63) - 1;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(const unsigned char* data, unsigned int length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

struct HttpResponseReader::DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  DigestContext() { EVP_DigestInit_ex(ctx, EVP_md5(), nullptr); }
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
  DigestContext(const DigestContext&) = delete;
  DigestContext& operator=(const DigestContext&) = delete;
};

std::string build_http_request(const HttpRequestSpec& spec) {
  const char* version = spec.version == HttpVersion::k11 ? "HTTP/1.1" : "HTTP/1.0";
  std::string host = spec.host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";  // IPv6 literal
  const std::uint16_t default_port = spec.tls ? 443 : 80;
  if (spec.port != default_port) host += ":" + std::to_string(spec.port);
  std::string request = "GET " + (spec.path.empty() ? std::string("/") : spec.path) + " " + version + "\r\n";
  request += "User-Agent: Vigil-HealthCheck\r\n";
  request += "Host: " + host + "\r\n";
  if (spec.version != HttpVersion::k10) request += "Connection: close\r\n";
  request += "\r\n";
  return request;
}

bool ChunkedDecoder::fail(std::string why) {
  state_ = State::kFailed;
  error_ = "chunked body: " + why;
  return false;
}

bool ChunkedDecoder::feed(std::string_view bytes, std::string& payload) {
  // The size line is over: a zero size starts the trailer section, any other its data.
  const auto end_size_line = [this] {
    line_bytes_ = 0;
    has_digits_ = false;
    size_ended_ = false;
    state_ = size_ == 0 ? State::kTrailer : State::kData;
  };
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (state_ == State::kDone) return true;
    if (state_ == State::kFailed) return false;
    if (state_ == State::kData) {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(size_, bytes.size() - i));
      payload.append(bytes.substr(i, take));
      i += take;
      size_ -= take;
      if (size_ == 0) state_ = State::kDataCr;
      continue;
    }
    const char c = bytes[i++];
    switch (state_) {
      case State::kSize:
        if (++line_bytes_ > kMaxChunkLine) return fail("chunk size line longer than 4 KiB");
        if (const int digit = hex_value(c); digit >= 0 && !size_ended_) {
          if (size_ > (kMaxChunkSize >> 4)) return fail("chunk size does not fit 63 bits");
          size_ = size_ * 16 + static_cast<std::uint64_t>(digit);
          has_digits_ = true;
        } else if (!has_digits_) {
          return fail("a chunk size line without a size");
        } else if (c == ' ' || c == '\t') {
          size_ended_ = true;  // whitespace before an extension
        } else if (c == ';') {
          state_ = State::kExtension;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (c == '\n') {
          end_size_line();
        } else {
          return fail("not a hex digit in a chunk size");
        }
        break;
      case State::kExtension:
        if (++line_bytes_ > kMaxChunkLine) return fail("chunk size line longer than 4 KiB");
        if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (c == '\n') {
          end_size_line();
        }
        break;
      case State::kSizeLf:
        if (c != '\n') return fail("chunk size line not ended by CRLF");
        end_size_line();
        break;
      case State::kDataCr:
        if (c == '\r') {
          state_ = State::kDataLf;
        } else if (c == '\n') {
          state_ = State::kSize;
        } else {
          return fail("chunk data longer than its size");
        }
        break;
      case State::kDataLf:
        if (c != '\n') return fail("chunk data not followed by CRLF");
        state_ = State::kSize;
        break;
      case State::kTrailer:
        if (++trailer_bytes_ > kMaxTrailerBytes) return fail("trailer fields longer than 64 KiB");
        if (c == '\r') {
          state_ = State::kTrailerLf;
        } else if (c == '\n') {
          if (line_bytes_ == 0) state_ = State::kDone;
          line_bytes_ = 0;
        } else {
          ++line_bytes_;
        }
        break;
      case State::kTrailerLf:
        if (c != '\n') return fail("trailer line not ended by CRLF");
        state_ = line_bytes_ == 0 ? State::kDone : State::kTrailer;
        line_bytes_ = 0;
        break;
      case State::kData:
      case State::kDone:
      case State::kFailed: break;  // handled above
    }
  }
  return state_ != State::kFailed;
}

HttpResponseReader::HttpResponseReader() : md5_(std::make_unique<DigestContext>()) {}
HttpResponseReader::~HttpResponseReader() = default;
HttpResponseReader::HttpResponseReader(HttpResponseReader&&) noexcept = default;
HttpResponseReader& HttpResponseReader::operator=(HttpResponseReader&&) noexcept = default;

bool HttpResponseReader::feed(std::string_view bytes) {
  if (failed()) return false;
  if (complete_) return true;
  if (!in_body_) {
    const std::size_t old_size = head_.size();
    head_.append(bytes);
    // Search from a little before the new bytes: the blank line may straddle two reads.
    const std::size_t from = old_size >= 3 ? old_size - 3 : 0;
    const std::size_t end = head_.find("\r\n\r\n", from);
    if (end == std::string::npos) {
      if (head_.size() > kMaxHeadBytes) {
        error_ = "response headers longer than 64 KiB";
        return false;
      }
      return true;
    }
    std::string rest = head_.substr(end + 4);
    head_.resize(end + 4);
    in_body_ = true;
    if (!parse_head()) return false;
    if (!chunked_ && content_length_ && *content_length_ == 0) {
      finish_body();
      return true;
    }
    return feed(rest);
  }
  if (chunked_) {
    payload_.clear();
    const bool ok = chunked_->feed(bytes, payload_);
    digest_body(payload_);
    if (!ok) {
      error_ = chunked_->error();
      return false;
    }
    if (chunked_->done()) finish_body();
    return true;
  }
  std::string_view take = bytes;
  if (content_length_)
    take =
        take.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(take.size(), *content_length_ - body_bytes_)));
  digest_body(take);
  if (content_length_ && body_bytes_ >= *content_length_) finish_body();
  return true;
}

void HttpResponseReader::digest_body(std::string_view payload) {
  EVP_DigestUpdate(md5_->ctx, payload.data(), payload.size());
  body_bytes_ += payload.size();
}

bool HttpResponseReader::parse_head() {
  const std::string_view head(head_);
  const std::size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.x SSS reason"
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" || status_line[8] != ' ') {
    error_ = "not an HTTP status line: " + std::string(status_line.substr(0, 80));
    return false;
  }
  int code = 0;
  const auto digits = status_line.substr(9, 3);
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
  if (ec != std::errc{} || ptr != digits.data() + 3 || code < 100) {
    error_ = "bad status code in: " + std::string(status_line.substr(0, 80));
    return false;
  }
  status_ = code;
  std::size_t pos = line_end + 2;
  while (pos < head.size()) {
    const std::size_t next = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, next - pos);
    pos = next + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (iequals(trim(line.substr(0, colon)), "Content-Length")) {
      const auto value = trim(line.substr(colon + 1));
      std::uint64_t length = 0;
      const auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (e != std::errc{} || p != value.data() + value.size()) {
        error_ = "bad Content-Length: " + std::string(value);
        return false;
      }
      content_length_ = length;
    } else if (iequals(trim(line.substr(0, colon)), "Transfer-Encoding")) {
      // The last coding decides the framing (RFC 9112 §6.1): "gzip, chunked" is chunked too (the
      // digest is then over the gzip bytes; a check never asks for compression).
      auto codings = trim(line.substr(colon + 1));
      const std::size_t comma = codings.rfind(',');
      if (comma != std::string_view::npos) codings = trim(codings.substr(comma + 1));
      if (iequals(codings, "chunked")) chunked_.emplace();
    }
  }
  return true;
}

void HttpResponseReader::finish_body() {
  if (complete_) return;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(md5_->ctx, md, &length);
  digest_ = to_hex(md, length);
  complete_ = true;
}

void HttpResponseReader::finish() {
  if (failed() || complete_) return;
  if (!in_body_) {
    error_ = head_.empty() ? "connection closed without a response" : "connection closed inside the headers";
    return;
  }
  if (chunked_) {
    error_ = "connection closed inside the chunked body after " + std::to_string(body_bytes_) + " bytes";
    return;
  }
  if (content_length_ && body_bytes_ < *content_length_) {
    error_ = "connection closed after " + std::to_string(body_bytes_) + " of " + std::to_string(*content_length_) +
             " body bytes";
    return;
  }
  finish_body();
}

std::optional<std::string> judge_http_response(const HttpResponseReader& response, const HttpExpectation& expectation) {
  if (response.failed()) return response.error();
  if (!response.status()) return "no response";
  const int status = *response.status();
  bool accepted = false;
  if (expectation.status_codes.empty()) {
    accepted = status >= 200 && status <= 299;
  } else {
    accepted = std::any_of(expectation.status_codes.begin(), expectation.status_codes.end(),
                           [&](const StatusRangeSpec& r) { return status >= r.first && status <= r.last; });
  }
  if (!accepted) return "status " + std::to_string(status) + " not accepted";
  if (expectation.digest) {
    if (!response.complete()) return "incomplete body";
    if (!iequals(response.digest(), *expectation.digest))
      return "body digest " + response.digest() + " != expected " + *expectation.digest;
  }
  return std::nullopt;
}

std::string md5_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), md, &length, EVP_md5(), nullptr);
  return to_hex(md, length);
}

}  // namespace vigil::check
