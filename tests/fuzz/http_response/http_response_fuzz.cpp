// Fuzz target: the HTTP response reader and its chunked decoder take whatever a real server (or
// an attacker in its place) sends. Whole or byte by byte, the decoder must reach the same
// payload and the same end, and never read outside its input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check/http.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using vigil::check::ChunkedDecoder;
  using vigil::check::HttpResponseReader;

  ChunkedDecoder whole;
  std::string whole_payload;
  whole.feed(input, whole_payload);
  ChunkedDecoder bytewise;
  std::string bytewise_payload;
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (!bytewise.feed(input.substr(i, 1), bytewise_payload)) break;
  }
  if (whole_payload != bytewise_payload || whole.done() != bytewise.done() || whole.failed() != bytewise.failed()) {
    std::abort();
  }
  if (whole_payload.size() > input.size()) std::abort();

  HttpResponseReader reader;
  reader.feed(input.substr(0, input.size() / 2));
  reader.feed(input.substr(input.size() / 2));
  reader.finish();
  (void)vigil::check::judge_http_response(reader, {});
  return 0;
}
