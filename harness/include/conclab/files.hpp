#pragma once
// Reading and writing whole files, the one way every stage of the pipeline does it.

#include <cstddef>
#include <filesystem>
#include <limits>
#include <string>

namespace conclab {

// The file's bytes, at most `max_bytes` of them (the first ones): a file the
// student's program wrote (a sanitizer log) may be as large as its file-size
// limit, and the grader should not hold all of it. A file that cannot be read
// gives "" — callers that must tell "missing" from "empty" check exists() first.
std::string read_file(const std::filesystem::path& path,
                      std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

// Writes `text` to `path` so that a reader sees the old file or the whole new
// one, never half of it, even after a crash or a kill mid-write (a gradebook
// or results.json is read by the next, resumed run): a temporary file beside
// it (named by host, process and thread: cluster nodes share directories),
// fsync, close, then rename. Creates the parent directories. Throws
// std::runtime_error naming the file.
void write_file_atomic(const std::filesystem::path& path, const std::string& text);

}  // namespace conclab
