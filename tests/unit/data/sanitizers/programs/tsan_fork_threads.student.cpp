#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pipes {

int spawn_with_helper() {
    std::thread logger([] { usleep(100000); });   // a thread in the parent ...
    pid_t pid = fork();
    if (pid == 0) {
        std::thread worker([] {});                  // ... and a new thread in the child
        worker.join();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    logger.join();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace pipes
