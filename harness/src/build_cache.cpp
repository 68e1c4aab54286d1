// Build caches: content keys (BLAKE2b) and the whole-build cache with its
// least-recently-used eviction (conclab/build_cache.hpp).
#include "conclab/build_cache.hpp"

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <thread>

#include "conclab/files.hpp"

namespace conclab {

namespace fs = std::filesystem;

ContentKey::ContentKey() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
    crypto_generichash_init(&state_, nullptr, 0, crypto_generichash_BYTES);
}

void ContentKey::add(std::string_view data) {
    const std::uint64_t n = data.size();
    crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(&n), sizeof n);
    crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

void ContentKey::add_tree(const fs::path& dir, const std::function<bool(const fs::path&)>& keep) {
    if (!fs::is_directory(dir)) {
        add("(no directory)");
        return;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && (!keep || keep(e.path()))) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    add(std::to_string(files.size()));
    for (const auto& f : files) {
        add(fs::relative(f, dir).generic_string());
        add(read_file(f));
    }
}

std::string ContentKey::hex() const {
    crypto_generichash_state copy = state_;
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash_final(&copy, digest, sizeof digest);
    char out[2 * sizeof digest + 1];
    sodium_bin2hex(out, sizeof out, digest, sizeof digest);
    return out;
}

BuildCache::BuildCache(fs::path dir, std::uintmax_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}

bool BuildCache::restore(const std::string& key, const fs::path& scratch, const std::vector<fs::path>& files) const {
    const fs::path entry = dir_ / key;
    std::error_code ec;
    if (!fs::is_directory(entry, ec)) return false;
    for (const auto& f : files) {
        fs::create_directories((scratch / f).parent_path(), ec);
        if (!fs::copy_file(entry / f, scratch / f, fs::copy_options::overwrite_existing, ec) || ec) return false;
    }
    // Recently used: eviction goes by the entry's time.
    fs::last_write_time(entry, fs::file_time_type::clock::now(), ec);
    return true;
}

void BuildCache::store(const std::string& key, const fs::path& scratch, const std::vector<fs::path>& files) const {
    const fs::path entry = dir_ / key;
    std::error_code ec;
    if (fs::exists(entry, ec)) return;
    // Named by process and thread: parallel gradings (and nodes sharing the
    // directory) never write the same temporary entry.
    char host[64] = {};
    ::gethostname(host, sizeof host - 1);
    const fs::path tmp = dir_ / (".tmp-" + key + "-" + host + "-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())));
    fs::remove_all(tmp, ec);
    bool ok = fs::create_directories(tmp, ec);
    for (const auto& f : files) {
        if (!ok) break;
        fs::create_directories((tmp / f).parent_path(), ec);
        ok = fs::copy_file(scratch / f, tmp / f, fs::copy_options::overwrite_existing, ec) && !ec;
    }
    // rename(2) of a directory onto an existing non-empty one fails: the
    // first complete entry wins, and a second copy is dropped.
    if (!ok || (fs::rename(tmp, entry, ec), ec)) fs::remove_all(tmp, ec);
    evict();
}

void BuildCache::evict() const {
    struct Entry {
        fs::file_time_type used;
        std::uintmax_t bytes;
        fs::path path;
    };
    std::vector<Entry> entries;
    std::uintmax_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        if (!e.is_directory() || e.path().filename().string().rfind(".tmp-", 0) == 0) continue;
        std::uintmax_t bytes = 0;
        for (const auto& f : fs::recursive_directory_iterator(e.path(), ec))
            if (f.is_regular_file()) bytes += f.file_size();
        entries.push_back({fs::last_write_time(e.path(), ec), bytes, e.path()});
        total += bytes;
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.used < b.used; });
    for (const auto& e : entries) {
        if (total <= max_bytes_) break;
        fs::remove_all(e.path, ec);
        total -= e.bytes;
    }
}

}  // namespace conclab
