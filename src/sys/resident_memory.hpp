#pragma once
// Giving back resident pages the daemon no longer needs after its start.
#include <cstddef>

namespace vigil::sys {

// Unmaps every page of the process's read-only file mappings (code and constants of the binary and
// its libraries) from its page tables. The pages stay in the page cache and come back on the next
// touch, so only what keeps running (the VRRP fast path, the event loops) becomes resident again;
// the code that ran once (config parsing and validation, start-up) leaves the resident set. Fails
// (and skips) on locked mappings: with mlockall, unlock first. Returns the bytes of mappings
// released.
std::size_t drop_read_only_file_pages();

// The process's resident set in KiB (/proc/self/statm).
long resident_kib();

}  // namespace vigil::sys
