#pragma once
// The build layer's caches: what a build produced, kept by the content of
// everything it read, so that grading the same code again (a `make check`
// with no edit, `verify --runs N`, a re-graded class) compiles nothing.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <sodium.h>

namespace conclab {

// A digest of build inputs: BLAKE2b-256 (libsodium). A cryptographic hash,
// because the inputs include the student's files: with a weak hash a student
// could write a file whose key equals another build's (the reference's) and be
// handed its executables (docs/design.md, "Build caches").
class ContentKey {
public:
    ContentKey();
    // Adds one input; inputs are length-framed, so ("ab","c") != ("a","bc").
    void add(std::string_view data);
    // Adds a directory tree, sorted: relative path and bytes of each file
    // that `keep` accepts (all by default).
    void add_tree(const std::filesystem::path& dir,
                  const std::function<bool(const std::filesystem::path&)>& keep = {});
    std::string hex() const;   // 64 hex digits (the state is copied: add() may go on)

private:
    crypto_generichash_state state_;
};

// Whole successful builds (executables and the student's objects), one
// directory per key under `dir`, at most `max_bytes` in all: storing evicts
// the least recently used entries. Safe for parallel gradings and cluster
// nodes sharing `dir`: an entry appears by an atomic rename, complete or not at all.
class BuildCache {
public:
    BuildCache(std::filesystem::path dir, std::uintmax_t max_bytes);

    // Copies the entry's `files` (paths relative to `scratch`, e.g. bin/tsan)
    // into `scratch`. False, with nothing promised about `scratch`, when the
    // entry is missing or incomplete.
    bool restore(const std::string& key, const std::filesystem::path& scratch,
                 const std::vector<std::filesystem::path>& files) const;

    // Publishes `files` of `scratch` under `key`. Called right after the
    // build, before any student code has run, so no test can alter what is
    // kept. A failure to store is not an error (the next grading builds again).
    void store(const std::string& key, const std::filesystem::path& scratch,
               const std::vector<std::filesystem::path>& files) const;

private:
    void evict() const;
    std::filesystem::path dir_;
    std::uintmax_t max_bytes_;
};

}  // namespace conclab
