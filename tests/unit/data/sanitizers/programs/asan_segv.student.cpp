#include <string>

namespace udp_chat {

struct Endpoint { int fd; std::string host; };

int endpoint_fd(const Endpoint* e) {
    return e->fd;
}

}  // namespace udp_chat
