#include "kconf2toml/file_source.hpp"

#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigil::kconf {
namespace {

// Position of the '}' closing the '{' at `open`, or npos.
std::size_t matching_brace(const std::string& text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return i;
  }
  return std::string::npos;
}

void expand_braces_into(const std::string& pattern, std::vector<std::string>& out, std::size_t limit) {
  if (out.size() >= limit) return;
  const auto open = pattern.find('{');
  const auto close = open == std::string::npos ? std::string::npos : matching_brace(pattern, open);
  if (close == std::string::npos) {
    out.push_back(pattern);
    return;
  }
  const std::string head = pattern.substr(0, open);
  const std::string tail = pattern.substr(close + 1);
  std::vector<std::string> alternatives;
  int depth = 0;
  std::size_t start = open + 1;
  for (std::size_t i = open + 1; i < close; ++i) {
    if (pattern[i] == '{') ++depth;
    if (pattern[i] == '}') --depth;
    if (pattern[i] == ',' && depth == 0) {
      alternatives.push_back(pattern.substr(start, i - start));
      start = i + 1;
    }
  }
  alternatives.push_back(pattern.substr(start, close - start));
  if (alternatives.size() == 1) {  // "{x}" is not a brace expression for glob(3): keep it literally
    out.push_back(pattern);
    return;
  }
  for (const auto& alternative : alternatives) expand_braces_into(head + alternative + tail, out, limit);
}

}  // namespace

std::vector<std::string> expand_braces(const std::string& pattern, std::size_t limit) {
  std::vector<std::string> out;
  expand_braces_into(pattern, out, limit);
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::vector<std::string> DiskFileSource::expand(const std::string& pattern) const {
  glob_t matches{};
  std::vector<std::string> paths;
  // GLOB_BRACE and GLOB_MARK as keepalived uses them: braces expand, directories end in '/'.
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the converter reads its files from one thread.
  if (::glob(pattern.c_str(), GLOB_MARK | GLOB_BRACE, nullptr, &matches) == 0) {
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
      std::string path = matches.gl_pathv[i];
      if (!path.empty() && path.back() != '/') paths.push_back(std::move(path));
    }
  }
  ::globfree(&matches);
  return paths;
}

std::optional<std::string> DiskFileSource::read(const std::string& path) const {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string DiskFileSource::absolute(const std::string& path) const {
  std::error_code ec;
  auto full = std::filesystem::absolute(path, ec);
  if (ec) return path;
  return full.lexically_normal().string();
}

std::vector<std::string> MemoryFileSource::expand(const std::string& pattern) const {
  std::vector<std::string> paths;
  for (const auto& alternative : expand_braces(pattern)) {
    const std::string wanted = absolute(alternative);
    std::vector<std::string> group;
    for (const auto& [path, text] : files_) {
      if (::fnmatch(wanted.c_str(), path.c_str(), FNM_PATHNAME | FNM_PERIOD) == 0) group.push_back(path);
    }
    paths.insert(paths.end(), group.begin(), group.end());  // glob(3) sorts within each brace alternative
  }
  return paths;
}

std::optional<std::string> MemoryFileSource::read(const std::string& path) const {
  const auto it = files_.find(absolute(path));
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

std::string MemoryFileSource::absolute(const std::string& path) const {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path("/") / p;
  return p.lexically_normal().string();
}

}  // namespace vigil::kconf
