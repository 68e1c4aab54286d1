// Keeping results small enough to upload (see conclab/bounds.hpp).
#include "conclab/bounds.hpp"

#include "conclab/report.hpp"

namespace conclab {

namespace {

bool continuation(std::string_view s, std::size_t pos) {
    return pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80;
}

// Moves `pos` back (a head ends there) or forward (a tail starts there) to the
// start of a UTF-8 sequence, so that neither grows past its share.
std::size_t char_start(std::string_view s, std::size_t pos) {
    while (pos > 0 && continuation(s, pos)) --pos;
    return pos;
}
std::size_t next_char_start(std::string_view s, std::size_t pos) {
    while (continuation(s, pos)) ++pos;
    return pos;
}

void bound_test(TestResult& t, std::size_t output, std::size_t message) {
    t.output = bounded(t.output, output);
    t.message = bounded(t.message, message);
    t.evidence = bounded(t.evidence, message);
    for (auto& f : t.findings) f.message = bounded(f.message, message / 4);
    if (t.findings.size() > 20) t.findings.resize(20);
}

}  // namespace

std::string bounded(std::string_view text, std::size_t max) {
    if (text.size() <= max) return std::string(text);
    const std::size_t cut = text.size();  // an upper bound for the marker's number
    const std::string probe = "\n[... " + std::to_string(cut) + " bytes cut ...]\n";
    if (max <= probe.size()) return std::string(text.substr(0, char_start(text, max)));
    const std::size_t keep = max - probe.size();
    const std::size_t head = char_start(text, keep / 2);
    const std::size_t tail_from = next_char_start(text, text.size() - (keep - keep / 2));
    const std::size_t dropped = tail_from - head;
    return std::string(text.substr(0, head)) + "\n[... " + std::to_string(dropped) + " bytes cut ...]\n" +
           std::string(text.substr(tail_from));
}

void bound_result(SubmissionResult& r, std::size_t max_json) {
    for (auto& e : r.exercises) {
        e.message = bounded(e.message, kTestMessageBytes);
        for (auto& t : e.tests) bound_test(t, kTestOutputBytes, kTestMessageBytes);
    }
    // Then halve what the tests carry until the whole document fits.
    std::size_t output = kTestOutputBytes, message = kTestMessageBytes;
    while (to_json(r).size() > max_json && (output > 0 || message > 256)) {
        output /= 2;
        if (output < 512) output = 0;
        if (output == 0) message = std::max<std::size_t>(256, message / 2);
        for (auto& e : r.exercises) {
            e.message = bounded(e.message, message);
            for (auto& t : e.tests) bound_test(t, output, message);
        }
    }
    // Last resort: source snippets go (their file:line stays in each finding).
    if (to_json(r).size() > max_json)
        for (auto& e : r.exercises) {
            e.snippets.clear();
            for (auto& t : e.tests) {
                t.snippets.clear();
                for (auto& f : t.findings) f.snippets.clear();
            }
        }
}

}  // namespace conclab
