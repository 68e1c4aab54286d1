#include "conclab/files.hpp"

#include <algorithm>
#include <fstream>

namespace conclab {

std::string read_file(const std::filesystem::path& path, std::size_t max_bytes) {
    std::ifstream in(path, std::ios::binary);
    std::string out;
    char buf[1 << 16];
    while (in && out.size() < max_bytes) {
        in.read(buf, static_cast<std::streamsize>(std::min(sizeof buf, max_bytes - out.size())));
        out.append(buf, static_cast<std::size_t>(in.gcount()));
    }
    return out;
}

}  // namespace conclab
