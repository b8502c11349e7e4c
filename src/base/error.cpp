#include "base/error.hpp"

#include <cerrno>

namespace vigil {

std::string Error::to_string() const {
  if (!code) return message;
  const std::string code_text = code.message();
  if (message.empty()) return code_text;
  if (message.find(code_text) != std::string::npos) return message;
  return message + ": " + code_text;
}

Error make_error(std::errc code, std::string message) { return Error{std::make_error_code(code), std::move(message)}; }

Error make_error(std::error_code code, std::string message) { return Error{code, std::move(message)}; }

Error errno_error(std::string message) {
  return Error{std::error_code(errno, std::generic_category()), std::move(message)};
}

}  // namespace vigil
