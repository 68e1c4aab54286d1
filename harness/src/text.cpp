// text.hpp: small text helpers shared by the stages.
#include "conclab/text.hpp"

namespace conclab {

std::string fold_spaces(std::string_view line) {
    std::string out;
    bool space = false;
    for (char c : line) {
        if (c == ' ' || c == '\t' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

}  // namespace conclab
