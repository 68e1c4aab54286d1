#include <cstdlib>

namespace pipes {

void drop_frame(char* frame) {
    std::free(frame);
}

char* new_frame(int n) { return new char[n]; }

}  // namespace pipes
