#include <pthread.h>

namespace pool_copy {

static void* worker(void*) { return nullptr; }

void start_worker() {
    pthread_t t;
    pthread_create(&t, nullptr, worker, nullptr);
    // never joined, never detached
}

}  // namespace pool_copy
