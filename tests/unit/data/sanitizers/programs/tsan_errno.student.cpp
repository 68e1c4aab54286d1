#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace pipes {

static void on_child(int) {
    errno = 0;
    int fd = -1;
    ::close(fd);   // sets errno = EBADF, never restored
}

void install_handler() {
    std::signal(SIGCHLD, on_child);
}

}  // namespace pipes
