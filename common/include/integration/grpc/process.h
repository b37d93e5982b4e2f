// Process-wide settings of the suite's server binaries (and of the benchmark programs, so that
// a ceiling runs under the same ones), applied first thing in main, before any thread starts.
#pragma once

namespace integration::grpc {

// - Optimised builds switch off Abseil's mutex deadlock detection. Debian builds Abseil
//   without NDEBUG, which leaves it on: every absl::Mutex lock (gRPC's own included) then
//   updates one process-wide lock graph, a few per cent of a gateway's CPU. Debug builds
//   keep it, as the tests' safety net.
// - glibc malloc keeps at most two arenas instead of eight per core: every executor thread
//   would otherwise get an arena of its own, whose free pages a service keeps as resident
//   memory for good, for no measurable gain in speed at the suite's thread counts.
//   MALLOC_ARENA_MAX in the environment still wins.
void ConfigureProcess();

}  // namespace integration::grpc
