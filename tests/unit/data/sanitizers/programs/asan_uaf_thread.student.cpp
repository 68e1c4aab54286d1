#include <string>
#include <thread>
#include <unistd.h>

namespace pool_copy {

void copy_later(std::thread& worker) {
    std::string* path = new std::string("photos/2024/img_0001.jpg");
    worker = std::thread([path] {
        usleep(20000);
        (void)path->size();
    });
    delete path;
}

}  // namespace pool_copy
