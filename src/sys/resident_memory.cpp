#include "sys/resident_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

namespace vigil::sys {

namespace {

// The program's own path as /proc/self/maps names its mappings.
std::string program_path() {
  std::array<char, 4096> path{};
  const ssize_t length = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  return length > 0 ? std::string(path.data(), static_cast<std::size_t>(length)) : std::string();
}

// A mapping of the program's machine code: executable, and named by the program's path.
bool is_program_code(const char* perms, const char* path, const std::string& program) {
  if (perms[2] != 'x' || program.empty()) return false;
  const std::size_t length = std::strcspn(path, "\n");
  return std::string_view(path, length) == program;
}

}  // namespace

std::size_t lock_program_code() {
  std::FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) return 0;
  const std::string program = program_path();
  std::size_t locked = 0;
  char line[4096];
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    unsigned long from = 0;
    unsigned long to = 0;
    char perms[8] = {};
    int path_at = 0;
    if (std::sscanf(line, "%lx-%lx %7s %*x %*s %*u %n", &from, &to, perms, &path_at) < 3 || path_at == 0) continue;
    if (!is_program_code(perms, line + path_at, program)) continue;
    if (::mlock(reinterpret_cast<void*>(from), to - from) == 0) locked += to - from;
  }
  std::fclose(maps);
  return locked;
}

std::size_t drop_read_only_file_pages() {
  std::FILE* smaps = std::fopen("/proc/self/smaps", "re");
  if (smaps == nullptr) return 0;
  std::size_t released = 0;
  unsigned long start = 0;
  unsigned long end = 0;
  bool candidate = false;
  const std::string program = program_path();
  char line[4096];
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    unsigned long from = 0;
    unsigned long to = 0;
    char perms[8] = {};
    unsigned long offset = 0;
    char device[16] = {};
    unsigned long inode = 0;
    int path_at = 0;
    if (std::sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &from, &to, perms, &offset, device, &inode, &path_at) >= 6) {
      // A mapping's header line. Only a file mapped without write access qualifies: anonymous
      // mappings ([heap], stacks, io_uring rings) have no file to come back from.
      start = from;
      end = to;
      // The program's own code stays: lock_program_code() keeps all of it resident.
      candidate =
          inode != 0 && perms[1] != 'w' && line[path_at] == '/' && !is_program_code(perms, line + path_at, program);
      continue;
    }
    unsigned long anonymous_kib = 0;
    if (candidate && std::sscanf(line, "Anonymous: %lu kB", &anonymous_kib) == 1) {
      // Read-only now but written before: RELRO sections (the GOT, vtables) were relocated by the
      // dynamic loader and then write-protected. Their pages are private copies; dropping them
      // would bring back the file's unrelocated bytes.
      if (anonymous_kib == 0 && ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED) == 0) {
        (void)::madvise(reinterpret_cast<void*>(start), end - start, MADV_RANDOM);
        released += end - start;
      }
      candidate = false;
    }
  }
  std::fclose(smaps);
  return released;
}

long resident_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

}  // namespace vigil::sys
