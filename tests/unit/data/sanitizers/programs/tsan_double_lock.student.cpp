#include <dlfcn.h>
#include <pthread.h>
#include <thread>

namespace pool_copy {

pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

// an unlock ThreadSanitizer does not see: glibc's own pthread_mutex_unlock
static int hidden_unlock(pthread_mutex_t* mu) {
    void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    auto real = reinterpret_cast<int (*)(pthread_mutex_t*)>(dlsym(libc, "pthread_mutex_unlock"));
    return real(mu);
}

void lock_twice() {
    std::thread a([] { pthread_mutex_lock(&m); hidden_unlock(&m); });
    a.join();
    std::thread b([] { pthread_mutex_lock(&m); });
    b.join();
}

}  // namespace pool_copy
