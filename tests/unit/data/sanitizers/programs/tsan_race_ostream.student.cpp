#include <ostream>
#include <string>
#include <thread>

namespace udp_chat {

void receiver(std::ostream& out, int n) {
    for (int i = 0; i < n; ++i)
        out << "[127.0.0.1:4000] message " << i << '\n';
}

void chat(std::ostream& out) {
    std::thread rx(receiver, std::ref(out), 100);
    for (int i = 0; i < 100; ++i)
        out << "sent " << i << '\n';
    rx.join();
}

}  // namespace udp_chat
