// UTF-8 for the reports: decoding untrusted text character by character and
// writing it back. Every report format escapes differently (terminal, XML,
// HTML, source snippets), but all of them decode the same way.
//
// Hand-written because the job is two small loops and the rule for invalid
// input is ours: each byte that is not part of a valid sequence (overlong
// forms, surrogates, values past U+10FFFF, a sequence cut short) becomes one
// U+FFFD, so a report never carries broken UTF-8 and never hides a byte.
#pragma once

#include <string>
#include <string_view>

namespace conclab {

// Decodes the character at s[i] and advances i past it (one byte if invalid).
inline char32_t decode_utf8(std::string_view s, std::size_t& i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        ++i;
        return c;
    }
    int len = 0;
    char32_t cp = 0, min = 0;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) ok = false;
        else cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok) {
        ++i;
        return 0xFFFD;
    }
    i += len;
    return cp;
}

// Calls f(codepoint) for every character of s.
template <class F>
void for_each_codepoint(std::string_view s, F&& f) {
    for (std::size_t i = 0; i < s.size();) f(decode_utf8(s, i));
}

inline void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) { out += char(0xC0 | (cp >> 6)); out += char(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18)); out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F));
    }
}

// Characters that change how text reads without being seen: zero-width ones,
// bidirectional overrides ("Trojan Source"), the BOM, line/paragraph separators.
inline bool is_invisible(char32_t cp) {
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) ||
           cp == 0xFEFF || cp == 0x2028 || cp == 0x2029 || cp == 0x00AD || cp == 0x061C || cp == 0x180E;
}

}  // namespace conclab
