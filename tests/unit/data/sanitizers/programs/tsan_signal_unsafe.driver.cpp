#include <csignal>
#include <thread>
#include <unistd.h>
namespace pipes { void install_handler(); }
int main() {
    pipes::install_handler();
    std::thread t([] { usleep(20000); kill(getpid(), SIGCHLD); });
    for (int i = 0; i < 10; ++i) usleep(10000);
    t.join();
}
