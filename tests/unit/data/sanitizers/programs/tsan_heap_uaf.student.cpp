#include <thread>
#include <unistd.h>

namespace pool_copy {

struct Task { int id; };

void run_and_free() {
    Task* t = new Task{1};
    std::thread w([t] {
        usleep(50000);
        t->id += 1;
    });
    delete t;
    w.join();
}

}  // namespace pool_copy
