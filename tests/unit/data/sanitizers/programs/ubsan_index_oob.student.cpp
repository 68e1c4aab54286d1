#include <cstddef>

namespace pipes {

int checksum(const char* msg, std::size_t len) {
    char frame[16];
    for (std::size_t i = 0; i < len; ++i)
        frame[i] = msg[i];
    int sum = 0;
    for (std::size_t i = 0; i < len; ++i)
        sum += frame[i];
    return sum;
}

}  // namespace pipes
