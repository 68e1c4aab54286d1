#include <cstring>
#include <string>

namespace udp_chat {

std::string format_line(const char* host, const char* text, std::size_t len) {
    char* buf = new char[64];
    std::strcpy(buf, host);
    std::memcpy(buf + std::strlen(host), text, len);   // no bound check
    std::string out(buf, std::strlen(host) + len);
    delete[] buf;
    return out;
}

}  // namespace udp_chat
