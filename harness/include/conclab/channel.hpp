#pragma once
// The supervisor's side of the result channel (docs/security.md): a fresh key
// per run, and the records a run sent, checked. The records are the only
// evidence of a GoogleTest result the engine accepts.
#include <string>
#include <vector>

#include "conclab/run.hpp"

namespace conclab {

// kKeyBytes random bytes (libsodium's randombytes_buf).
std::string make_channel_key();

struct ChannelTest {
    std::string name;                   // Suite.Test
    std::string result;                 // passed, failed, skipped
    std::vector<std::string> failures;  // "file:line\nmessage", as GoogleTest reports them
    long more_failures = 0;
};

struct ChannelRecords {
    std::vector<ChannelTest> tests;     // in the order they finished
    bool done = false;                  // the final record arrived: the test program finished
    bool repeated = false;              // valid records came twice (a fork()ed copy went on testing)
    std::string forged;                 // non-empty: records that fail the MAC or the order, as evidence
};

// Checks every line of what arrived on the channel against `key`.
ChannelRecords read_channel(const Captured& arrived, const std::string& key);

}  // namespace conclab
