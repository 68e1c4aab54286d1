#include <string>

namespace round_robin {

struct Slot { std::string name; int need; };

int need_of(Slot* s) {
    return s->need;
}

}  // namespace round_robin
