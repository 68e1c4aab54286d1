#pragma once
// The sealed record format of the result channel (docs/security.md), shared by
// the trusted test main that runs inside the graded process
// (harness/runtime/test_main.cpp) and the supervisor that reads the records
// (harness/src/channel.cpp). Header-only on purpose: the test main links
// GoogleTest and libsodium, never the grading engine.
//
// One record is one line:  <64 hex digits: MAC of PAYLOAD> ' ' PAYLOAD '\n'
// PAYLOAD is one line of JSON with a "seq" field counting records from 0.
// The MAC is libsodium's crypto_auth (HMAC-SHA-512-256) under a key that is
// fresh for every run and reaches the test main through a pipe after start-up
// (kKeyFd in conclab/run.hpp), so code under test that writes to the channel
// cannot make a record the supervisor accepts.
#include <sodium.h>

#include <string>
#include <string_view>

namespace conclab::channel {

constexpr std::size_t kKeyBytes = crypto_auth_KEYBYTES;     // 32
constexpr std::size_t kMacHex = crypto_auth_BYTES * 2;     // 64

inline std::string seal(std::string_view payload, const unsigned char* key) {
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), key);
    char hex[kMacHex + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    std::string line;
    line.reserve(kMacHex + 2 + payload.size());
    line.append(hex, kMacHex).append(1, ' ').append(payload).append(1, '\n');
    return line;
}

// `line` without its '\n'. True when its MAC is valid; then `payload` is set.
inline bool open(std::string_view line, const unsigned char* key, std::string_view& payload) {
    if (line.size() < kMacHex + 1 || line[kMacHex] != ' ') return false;
    unsigned char mac[crypto_auth_BYTES];
    std::size_t len = 0;
    if (sodium_hex2bin(mac, sizeof mac, line.data(), kMacHex, nullptr, &len, nullptr) != 0 || len != sizeof mac)
        return false;
    std::string_view body = line.substr(kMacHex + 1);
    if (crypto_auth_verify(mac, reinterpret_cast<const unsigned char*>(body.data()), body.size(), key) != 0)
        return false;
    payload = body;
    return true;
}

}  // namespace conclab::channel
