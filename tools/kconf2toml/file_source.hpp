#pragma once
// Where the parser reads files from: the disk for the tool, memory for tests and the fuzzer.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vigil::kconf {

class FileSource {
 public:
  virtual ~FileSource() = default;
  // Regular files matching a glob pattern (`*`, `?`, `[...]` and `{a,b}` braces), sorted as glob(3)
  // sorts them. A pattern without wildcards names at most itself.
  [[nodiscard]] virtual std::vector<std::string> expand(const std::string& pattern) const = 0;
  [[nodiscard]] virtual std::optional<std::string> read(const std::string& path) const = 0;
  // The path made absolute, for `${_PWD}` and include cycle detection.
  [[nodiscard]] virtual std::string absolute(const std::string& path) const = 0;
};

class DiskFileSource final : public FileSource {
 public:
  [[nodiscard]] std::vector<std::string> expand(const std::string& pattern) const override;
  [[nodiscard]] std::optional<std::string> read(const std::string& path) const override;
  [[nodiscard]] std::string absolute(const std::string& path) const override;
};

// Files held in memory under absolute, normalised paths ("/etc/keepalived/a.conf").
class MemoryFileSource final : public FileSource {
 public:
  MemoryFileSource() = default;
  explicit MemoryFileSource(std::map<std::string, std::string> files) : files_(std::move(files)) {}
  void add(const std::string& path, std::string text) { files_[path] = std::move(text); }

  [[nodiscard]] std::vector<std::string> expand(const std::string& pattern) const override;
  [[nodiscard]] std::optional<std::string> read(const std::string& path) const override;
  [[nodiscard]] std::string absolute(const std::string& path) const override;

 private:
  std::map<std::string, std::string> files_;
};

// "{a,b}x{1,2}" -> "ax1", "ax2", "bx1", "bx2" (nested braces allowed); at most `limit` results.
[[nodiscard]] std::vector<std::string> expand_braces(const std::string& pattern, std::size_t limit = 4096);

}  // namespace vigil::kconf
