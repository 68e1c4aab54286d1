#include <cstddef>
#include <cstring>

namespace pipes {

int checksum(const char* msg, std::size_t len) {
    char frame[16];
    std::memcpy(frame, msg, len);     // len may exceed the frame
    int sum = 0;
    for (char c : frame) sum += c;
    return sum;
}

}  // namespace pipes
