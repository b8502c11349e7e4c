#pragma once
// Error values shared by every layer: expected failures are values, never exceptions.
#include <string>
#include <system_error>

namespace vigil {

struct Error {
  std::error_code code;
  std::string message;  // human text: what failed and why, ready to log

  // "message: code text" (the code text is left out when the message already says it).
  [[nodiscard]] std::string to_string() const;
};

[[nodiscard]] Error make_error(std::errc code, std::string message);
[[nodiscard]] Error make_error(std::error_code code, std::string message);
// errno of the calling thread, captured now.
[[nodiscard]] Error errno_error(std::string message);

}  // namespace vigil
