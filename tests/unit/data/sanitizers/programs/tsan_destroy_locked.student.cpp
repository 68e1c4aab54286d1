#include <pthread.h>

namespace pool_copy {

void close_pool() {
    pthread_mutex_t m;
    pthread_mutex_init(&m, nullptr);
    pthread_mutex_lock(&m);
    pthread_mutex_destroy(&m);
}

}  // namespace pool_copy
