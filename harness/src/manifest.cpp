// Reading exercise.yaml. Every error names the file, the line and the key, so a
// course maintainer can fix a manifest without reading engine code.
#include "conclab/manifest.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cmath>
#include <set>

namespace conclab {

ManifestError::ManifestError(std::string file, int line, std::string key, const std::string& what)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + (key.empty() ? "" : "key '" + key + "': ") + what),
      file_(std::move(file)), line_(line), key_(std::move(key)) {}

const char* to_string(Sanitizer s) {
    switch (s) {
        case Sanitizer::none: return "none";
        case Sanitizer::thread: return "thread";
        case Sanitizer::address: return "address";
    }
    return "?";
}

const BuildSpec* Exercise::find_build(const std::string& n) const {
    for (const auto& b : builds)
        if (b.name == n) return &b;
    return nullptr;
}

namespace {

// Splits "512MiB" into 512 and "MiB".
std::pair<double, std::string> number_and_unit(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == 0) throw std::invalid_argument("expected a number, got '" + text + "'");
    double n = std::stod(text.substr(0, i));
    std::string unit = text.substr(i);
    while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
    return {n, unit};
}

}  // namespace

std::string default_gtest_filter(const std::string& test_name) { return "*." + test_name; }

std::uint64_t parse_size(const std::string& text) {
    auto [n, unit] = number_and_unit(text);
    static const std::pair<const char*, double> units[] = {
        {"", 1}, {"B", 1}, {"K", 1024}, {"KB", 1000}, {"KiB", 1024}, {"M", 1 << 20}, {"MB", 1e6},
        {"MiB", 1 << 20}, {"G", 1 << 30}, {"GB", 1e9}, {"GiB", 1 << 30}};
    for (auto& [u, mult] : units)
        if (unit == u) return static_cast<std::uint64_t>(std::llround(n * mult));
    throw std::invalid_argument("unknown size unit '" + unit + "' (use B, KiB, MiB, GiB)");
}

std::chrono::milliseconds parse_duration(const std::string& text) {
    auto [n, unit] = number_and_unit(text);
    double ms;
    if (unit == "ms") ms = n;
    else if (unit == "s" || unit.empty()) ms = n * 1000;
    else if (unit == "m" || unit == "min") ms = n * 60'000;
    else throw std::invalid_argument("unknown time unit '" + unit + "' (use ms, s, m)");
    return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
}

namespace {

class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& what) const {
        int line = node.Mark().is_null() ? 0 : node.Mark().line + 1;
        throw ManifestError(file_, line, key, what);
    }

    // Rejects keys the engine does not know: a typo ("timout") must not be silently ignored.
    void only_keys(const YAML::Node& map, const std::string& where, std::initializer_list<const char*> allowed) const {
        if (!map.IsMap()) fail(map, where, "expected a mapping");
        for (const auto& kv : map) {
            auto k = kv.first.as<std::string>();
            bool ok = false;
            for (auto* a : allowed) ok = ok || k == a;
            if (!ok) {
                std::string list;
                for (auto* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
                fail(kv.first, where.empty() ? k : where + "." + k, "unknown key (allowed: " + list + ")");
            }
        }
    }

    std::string str(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar()) fail(n, key, "expected a string");
        return n.as<std::string>();
    }
    double number(const YAML::Node& n, const std::string& key) const {
        try {
            return n.as<double>();
        } catch (const YAML::Exception&) {
            fail(n, key, "expected a number, got '" + (n.IsScalar() ? n.Scalar() : std::string("?")) + "'");
        }
    }
    int integer(const YAML::Node& n, const std::string& key) const {
        try {
            return n.as<int>();
        } catch (const YAML::Exception&) {
            fail(n, key, "expected a whole number");
        }
    }
    bool boolean(const YAML::Node& n, const std::string& key) const {
        try {
            return n.as<bool>();
        } catch (const YAML::Exception&) {
            fail(n, key, "expected true or false");
        }
    }
    std::vector<std::string> strings(const YAML::Node& n, const std::string& key) const {
        std::vector<std::string> out;
        if (n.IsScalar()) return {n.as<std::string>()};
        if (!n.IsSequence()) fail(n, key, "expected a list of strings");
        for (const auto& item : n) out.push_back(str(item, key));
        return out;
    }
    std::chrono::milliseconds duration(const YAML::Node& n, const std::string& key) const {
        try {
            return parse_duration(str(n, key));
        } catch (const std::invalid_argument& e) {
            fail(n, key, e.what());
        }
    }
    std::uint64_t size(const YAML::Node& n, const std::string& key) const {
        try {
            return parse_size(str(n, key));
        } catch (const std::invalid_argument& e) {
            fail(n, key, e.what());
        }
    }

    void limits(const YAML::Node& n, const std::string& key, Limits& l) const {
        only_keys(n, key, {"wall", "cpu", "memory", "processes", "output", "file_size", "open_files"});
        if (n["wall"]) l.wall = duration(n["wall"], key + ".wall");
        if (n["cpu"]) l.cpu = duration(n["cpu"], key + ".cpu");
        if (n["memory"]) l.memory = size(n["memory"], key + ".memory");
        if (n["processes"]) l.processes = integer(n["processes"], key + ".processes");
        if (n["output"]) l.output = size(n["output"], key + ".output");
        if (n["file_size"]) l.file_size = size(n["file_size"], key + ".file_size");
        if (n["open_files"]) l.open_files = integer(n["open_files"], key + ".open_files");
    }

    std::vector<OutputMatcher> matchers(const YAML::Node& n, const std::string& key) const {
        std::vector<OutputMatcher> out;
        YAML::Node list = n;
        if (n.IsMap()) {   // a single matcher may be written without the list
            list = YAML::Node(YAML::NodeType::Sequence);
            list.push_back(n);
        }
        if (!list.IsSequence()) fail(n, key, "expected a list of matchers like '- exact: TEXT'");
        int i = 0;
        for (const auto& m : list) {
            std::string k = key + "[" + std::to_string(i++) + "]";
            only_keys(m, k, {"exact", "regex", "full_regex", "contains", "lines", "unordered", "forbid"});
            if (m.size() != 1) fail(m, k, "one matcher per list item");
            auto kv = *m.begin();
            std::string kind = kv.first.as<std::string>();
            OutputMatcher om{};
            using K = OutputMatcher::Kind;
            if (kind == "lines" || kind == "unordered") {
                om.kind = kind == "lines" ? K::lines : K::unordered;
                om.lines = strings(kv.second, k + "." + kind);
            } else {
                om.kind = kind == "exact" ? K::exact
                        : kind == "regex" ? K::regex
                        : kind == "full_regex" ? K::full_regex
                        : kind == "contains" ? K::contains
                                             : K::forbid;
                om.text = str(kv.second, k + "." + kind);
            }
            out.push_back(std::move(om));
        }
        return out;
    }

private:
    std::string file_;
};

bool valid_name(const std::string& s) {
    if (s.empty() || !std::islower(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    return true;
}

}  // namespace

Exercise load_exercise(const std::filesystem::path& manifest) {
    const std::string file = manifest.string();
    Reader r(file);
    YAML::Node root;
    try {
        root = YAML::LoadFile(file);
    } catch (const YAML::BadFile&) {
        throw ManifestError(file, 0, "", "cannot read the file");
    } catch (const YAML::ParserException& e) {
        throw ManifestError(file, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
    }
    if (!root || !root.IsMap()) throw ManifestError(file, 1, "", "expected a mapping at the top level");
    r.only_keys(root, "", {"name", "title", "points", "files", "limits", "calibration", "builds", "tests"});

    Exercise ex;
    ex.manifest_path = manifest;
    auto need = [&](const YAML::Node& map, const char* key, const std::string& where) {
        if (!map[key]) r.fail(map, where.empty() ? key : where + "." + key, "missing (required)");
        return map[key];
    };
    ex.name = r.str(need(root, "name", ""), "name");
    std::string folder = manifest.parent_path().filename().string();
    if (ex.name != folder) r.fail(root["name"], "name", "must equal the exercise folder's name '" + folder + "'");
    ex.title = root["title"] ? r.str(root["title"], "title") : ex.name;
    ex.points = r.number(need(root, "points", ""), "points");
    ex.files = r.strings(need(root, "files", ""), "files");
    for (const auto& f : ex.files)
        if (f.find('/') != std::string::npos || f.empty() || f[0] == '.')
            r.fail(root["files"], "files", "'" + f + "' must be a plain file name in the exercise folder");
    if (root["limits"]) r.limits(root["limits"], "limits", ex.limits);
    if (const YAML::Node c = root["calibration"]) {
        r.only_keys(c, "calibration", {"factor", "floor"});
        if (c["factor"]) {
            ex.calibration_factor = r.number(c["factor"], "calibration.factor");
            if (ex.calibration_factor < 1 || ex.calibration_factor > 1000)
                r.fail(c["factor"], "calibration.factor", "must be 1..1000 (a limit below the reference's own time fails it)");
        }
        if (c["floor"]) ex.calibration_floor = r.duration(c["floor"], "calibration.floor");
    }

    const YAML::Node builds = need(root, "builds", "");
    if (!builds.IsMap() || builds.size() == 0) r.fail(builds, "builds", "expected a mapping of build names");
    for (const auto& kv : builds) {
        BuildSpec b;
        b.name = kv.first.as<std::string>();
        const std::string key = "builds." + b.name;
        if (!valid_name(b.name)) r.fail(kv.first, key, "build names are lower_snake_case");
        const YAML::Node& n = kv.second;
        r.only_keys(n, key, {"sanitizer", "optimize", "sources", "link", "main", "hidden"});
        std::string san = n["sanitizer"] ? r.str(n["sanitizer"], key + ".sanitizer") : "thread";
        if (san == "thread") b.sanitizer = Sanitizer::thread;
        else if (san == "address") b.sanitizer = Sanitizer::address;
        else if (san == "none") b.sanitizer = Sanitizer::none;
        else r.fail(n["sanitizer"], key + ".sanitizer", "expected thread, address or none");
        if (n["optimize"]) {
            b.optimize = r.str(n["optimize"], key + ".optimize");
            if (b.optimize.size() < 2 || b.optimize.rfind("-O", 0) != 0)
                r.fail(n["optimize"], key + ".optimize", "expected -O0, -O1, -O2, -O3 or -Os");
        }
        if (n["sources"]) b.sources = r.strings(n["sources"], key + ".sources");
        if (n["link"]) b.link = r.strings(n["link"], key + ".link");
        for (const auto& flag : b.link)
            if (flag == "-Wl" || flag == "-Xlinker")
                r.fail(n["link"], key + ".link",
                       "'" + flag + "' alone: YAML splits [a, b] lists at commas, so quote each flag: "
                       "link: ['-Wl,--wrap=read']");
        if (n["main"]) b.main = r.str(n["main"], key + ".main");
        if (n["hidden"]) b.hidden = r.boolean(n["hidden"], key + ".hidden");
        for (const auto& src : b.sources) {
            if (src.find("..") != std::string::npos || src.empty() || src[0] == '/')
                r.fail(n["sources"], key + ".sources", "'" + src + "' must be a path inside graders/" + ex.name);
            auto path = manifest.parent_path().parent_path().parent_path() / "graders" / ex.name / src;
            if (!std::filesystem::exists(path))
                r.fail(n["sources"], key + ".sources", "'" + src + "' not found (looked for " + path.string() + ")");
        }
        if (!b.is_program() && b.sources.empty())
            r.fail(n, key, "a GoogleTest build needs 'sources' (or 'main' for a program build)");
        ex.builds.push_back(std::move(b));
    }

    const YAML::Node tests = need(root, "tests", "");
    if (!tests.IsSequence() || tests.size() == 0) r.fail(tests, "tests", "expected a list of tests");
    std::set<std::string> names;
    double total = 0;
    int index = 0;
    for (const auto& n : tests) {
        std::string key = "tests[" + std::to_string(index++) + "]";
        r.only_keys(n, key, {"name", "points", "build", "gtest", "args", "stdin", "exit", "stdout", "stderr",
                             "symbols", "repeat", "timeout", "limits", "hidden", "exclusive", "waits", "hint"});
        TestSpec t;
        t.name = r.str(need(n, "name", key), key + ".name");
        key = "tests." + t.name;
        if (!valid_name(t.name)) r.fail(n["name"], key, "test names are lower_snake_case");
        if (!names.insert(t.name).second) r.fail(n["name"], key, "duplicate test name");
        t.points = r.number(need(n, "points", key), key + ".points");
        if (t.points < 0) r.fail(n["points"], key + ".points", "must not be negative");
        total += t.points;
        t.limits = ex.limits;
        if (n["limits"]) r.limits(n["limits"], key + ".limits", t.limits);
        if (n["timeout"]) t.limits.wall = r.duration(n["timeout"], key + ".timeout");
        t.wall_pinned = n["timeout"] || (n["limits"] && n["limits"]["wall"]);
        t.limit_rule = t.wall_pinned ? "set for this test in exercise.yaml" : "the exercise's default; not calibrated yet";
        if (n["hint"]) t.hint = r.str(n["hint"], key + ".hint");
        if (n["hidden"]) t.hidden = r.boolean(n["hidden"], key + ".hidden");
        if (n["exclusive"]) t.exclusive = r.boolean(n["exclusive"], key + ".exclusive");
        if (n["waits"]) t.waits = r.boolean(n["waits"], key + ".waits");
        if (t.exclusive && t.waits)
            r.fail(n["waits"], key + ".waits",
                   "a test is either exclusive (needs the CPU to itself) or waits (needs almost none), not both");
        if (n["repeat"]) {
            t.repeat = r.integer(n["repeat"], key + ".repeat");
            if (t.repeat < 1 || t.repeat > 1000) r.fail(n["repeat"], key + ".repeat", "must be 1..1000");
        }
        if (n["symbols"]) {
            r.only_keys(n["symbols"], key + ".symbols", {"forbid"});
            t.forbid_symbols = r.strings(need(n["symbols"], "forbid", key + ".symbols"), key + ".symbols.forbid");
            if (n["build"] || n["gtest"] || n["args"])
                r.fail(n, key, "a 'symbols' scan runs nothing: it takes no build, gtest or args");
            ex.tests.push_back(std::move(t));
            continue;
        }
        t.build = r.str(need(n, "build", key), key + ".build");
        const BuildSpec* b = ex.find_build(t.build);
        if (!b) r.fail(n["build"], key + ".build", "no build named '" + t.build + "' under 'builds'");
        if (b->hidden && !t.hidden) t.hidden = true;   // a hidden build's tests cannot be visible
        if (n["gtest"]) {
            if (b->is_program()) r.fail(n["gtest"], key + ".gtest", "build '" + t.build + "' is a program, not GoogleTest");
            t.gtest = r.str(n["gtest"], key + ".gtest");
        } else if (!b->is_program()) {
            // One name per test (docs/manifest.md): the test `x` is the TEST(AnySuite, x).
            t.gtest = default_gtest_filter(t.name);
        }
        if (n["args"]) t.args = r.strings(n["args"], key + ".args");
        if (n["stdin"]) t.stdin_data = r.str(n["stdin"], key + ".stdin");
        if (n["exit"]) t.exit_code = r.integer(n["exit"], key + ".exit");
        else if (b->is_program()) t.exit_code = 0;
        if (n["stdout"]) t.stdout_matchers = r.matchers(n["stdout"], key + ".stdout");
        if (n["stderr"]) t.stderr_matchers = r.matchers(n["stderr"], key + ".stderr");
        ex.tests.push_back(std::move(t));
    }
    if (std::abs(total - ex.points) > 1e-9)
        r.fail(root["points"], "points",
               "is " + std::to_string(ex.points) + " but the tests' points add up to " + std::to_string(total));
    return ex;
}

}  // namespace conclab
