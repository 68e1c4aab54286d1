#pragma once
// Reading a whole file, the one way every stage of the pipeline does it.

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

}  // namespace conclab
