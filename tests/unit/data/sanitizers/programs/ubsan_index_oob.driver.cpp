#include <cstring>
namespace pipes { int checksum(const char* msg, std::size_t len); }
int main() {
    const char* m = "[42, None, 'hello'] and some more";
    return pipes::checksum(m, std::strlen(m)) == 0;
}
