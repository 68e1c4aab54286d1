#include <sstream>
namespace udp_chat { void chat(std::ostream& out); }
int main() { std::ostringstream out; udp_chat::chat(out); return out.str().empty(); }
