#pragma once
// Every running script holds two descriptors (pidfd + output pipe): thousands of concurrent scripts
// need more than the usual soft limit of 1024.
#include <sys/resource.h>

#include "base/result.hpp"

namespace vigil::sys {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
Result<rlim_t> raise_open_file_limit();

// Makes sure fds 0, 1 and 2 are open (on /dev/null if they were closed), so no socket or pipe we
// open later lands on them and gets written to by accident.
Result<void> ensure_standard_fds();

}  // namespace vigil::sys
