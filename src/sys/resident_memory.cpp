#include "sys/resident_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

namespace vigil::sys {

std::size_t drop_read_only_file_pages() {
  std::FILE* smaps = std::fopen("/proc/self/smaps", "re");
  if (smaps == nullptr) return 0;
  std::size_t released = 0;
  unsigned long start = 0;
  unsigned long end = 0;
  bool candidate = false;
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
      candidate = inode != 0 && perms[1] != 'w' && line[path_at] == '/';
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
