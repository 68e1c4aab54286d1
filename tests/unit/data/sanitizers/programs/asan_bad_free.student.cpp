#include <cstdlib>

namespace pipes {

static char frame_buffer[128];

void release_buffer(char* p) {
    std::free(p);
}

char* get_buffer() { return frame_buffer; }

}  // namespace pipes
