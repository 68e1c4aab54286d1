#include <cstdint>
#include <string>
namespace udp_chat { struct Endpoint; int endpoint_fd(const Endpoint* e); }
int main(int argc, char**) { return udp_chat::endpoint_fd(reinterpret_cast<const udp_chat::Endpoint*>(std::uintptr_t(argc) * 16)); }
