// ConfigureProcess(): see integration/grpc/process.h for what it sets and why.
#include "integration/grpc/process.h"

#include <malloc.h>

#include <cstdlib>

#include "absl/synchronization/mutex.h"

namespace integration::grpc {

void ConfigureProcess() {
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
}

}  // namespace integration::grpc
