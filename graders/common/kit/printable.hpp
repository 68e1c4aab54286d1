// Program output in a failure message: binary bytes, empty text and a 1 MiB
// message must all show as something a student can read.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace kit {

// "text" in quotes, with \n, \\, \" and \xNN escapes, cut after `max` bytes
// with the full size said.
inline std::string printable(std::string_view s, std::size_t max = 300) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\\' || c == '"') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 32 && c < 127) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    out += "\"";
    if (s.size() > max) out += "... (" + std::to_string(s.size()) + " bytes in all)";
    return out;
}

}  // namespace kit
