#include <string>
namespace udp_chat { std::string format_line(const char* host, const char* text, std::size_t len); }
int main() {
    std::string big(200, 'x');
    return udp_chat::format_line("[127.0.0.1:4000] ", big.c_str(), big.size()).size() > 0 ? 0 : 1;
}
