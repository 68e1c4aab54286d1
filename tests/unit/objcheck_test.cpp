// Tests for check_student_object: real objects from the real g++, in the
// grader's three build variants. Both ways: the course's references and stubs
// are clean, and each attack is found on its file and line.
#include "conclab/objcheck.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "grader_compile.hpp"

namespace conclab {
namespace {

using testing_support::ScratchCourse;
using testing_support::Variant;

const Variant kVariants[] = {Variant::tsan, Variant::asan, Variant::release};

std::string all(const std::vector<CodeProblem>& ps) {
    std::string s;
    for (const auto& p : ps) s += format_code_problem(p) + "\n";
    return s;
}

// ---- the course's own code is clean

struct CourseCode {
    const char* dir;  // reference or exercises
    const char* exercise;
};
void PrintTo(const CourseCode& c, std::ostream* os) { *os << c.dir << "/" << c.exercise; }

class CleanCourseCode : public ::testing::TestWithParam<CourseCode> {};

TEST_P(CleanCourseCode, HasNoProblemInAnyVariant) {
    const CourseCode& c = GetParam();
    const auto src = std::filesystem::path(config::source_dir) / c.dir / c.exercise;
    ScratchCourse course(c.exercise);
    course.copy_from(src);
    std::vector<std::string> student_files;
    std::vector<std::string> sources;
    for (const auto& e : std::filesystem::directory_iterator(src)) {
        const std::string f = e.path().filename().string();
        if (f == "main.cpp" || f == "README.md" || f == "exercise.yaml") continue;  // course files, not the student's
        student_files.push_back(course.rel(f));
        if (e.path().extension() == ".cpp") sources.push_back(f);
    }
    ASSERT_FALSE(sources.empty());
    for (Variant v : kVariants)
        for (const auto& f : sources) {
            auto problems = check_student_object(course.compile(f, v), student_files);
            EXPECT_TRUE(problems.empty()) << f << " (" << testing_support::name(v) << "):\n" << all(problems);
        }
}

INSTANTIATE_TEST_SUITE_P(
    Course, CleanCourseCode,
    ::testing::Values(CourseCode{"reference", "counter"}, CourseCode{"reference", "pipes"},
                      CourseCode{"reference", "pool_copy"}, CourseCode{"reference", "round_robin"},
                      CourseCode{"reference", "udp_chat"}, CourseCode{"exercises", "counter"},
                      CourseCode{"exercises", "pipes"}, CourseCode{"exercises", "pool_copy"},
                      CourseCode{"exercises", "round_robin"}, CourseCode{"exercises", "udp_chat"}),
    [](const auto& info) { return std::string(info.param.dir) + "_" + info.param.exercise; });

// ---- attacks and harmless look-alikes, as counter.cpp of the counter exercise

// Lines marked `// <-` are where a problem must be reported (any one of them:
// with -O2 a global's constructor is inlined into the start-up code, so the
// report points into the constructor; with -fno-inline at the variable).
struct Sample {
    const char* name;
    const char* source;
    const char* piece;            // in the message; nullptr: the sample must be clean
    bool in_every_variant = true;  // false: only where the compiler does not emit the same call itself
};
void PrintTo(const Sample& s, std::ostream* os) { *os << s.name; }

std::set<int> marked_lines(const std::string& src) {
    std::set<int> out;
    int line = 1;
    for (std::size_t i = 0; i < src.size(); ++i) {
        if (src.compare(i, 5, "// <-") == 0) out.insert(line);
        if (src[i] == '\n') ++line;
    }
    return out;
}

class ObjectSample : public ::testing::TestWithParam<Sample> {};

TEST_P(ObjectSample, IsReportedOnItsLineOrClean) {
    const Sample& s = GetParam();
    ScratchCourse course("counter");
    course.write("counter.hpp", "#pragma once\nnamespace counter { long next(); }\n");
    course.write("counter.cpp", s.source);
    const std::vector<std::string> student_files = {course.rel("counter.hpp"), course.rel("counter.cpp")};
    const auto lines = marked_lines(s.source);
    for (Variant v : kVariants) {
        SCOPED_TRACE(testing_support::name(v));
        auto problems = check_student_object(course.compile("counter.cpp", v), student_files);
        if (!s.piece || (!s.in_every_variant && v == Variant::asan)) {
            EXPECT_TRUE(problems.empty()) << all(problems);
            continue;
        }
        ASSERT_FALSE(problems.empty()) << s.source;
        bool found = false;
        for (const auto& p : problems)
            found = found || (p.file == "exercises/counter/counter.cpp" && lines.count(p.line) &&
                              p.what.find(s.piece) != std::string::npos);
        EXPECT_TRUE(found) << "expected `" << s.piece << "` on a marked line, got:\n" << all(problems);
    }
}

const Sample kSamples[] = {
    {"global_object_constructor", R"(#include "counter.hpp"
#include <fcntl.h>
#include <unistd.h>
namespace {
struct Forger {
    Forger() {
        int fd = ::open("/proc/self/cmdline", O_RDONLY);  // <-
        char buf[256];
        if (fd >= 0 && ::read(fd, buf, sizeof buf) > 0) ::_exit(0);  // <-
    }
};
Forger forger;  // <-
}
namespace counter { long next() { return 1; } }
)",
     "before main() starts"},
    {"constructor_attribute", R"(#include "counter.hpp"
#include <unistd.h>
__attribute__((constructor)) static void early() {  // <-
    ::_exit(0);
}
namespace counter { long next() { return 1; } }
)",
     "is listed in .init_array"},
    {"init_array_section_pointer", R"(#include "counter.hpp"
#include <unistd.h>
static void early() {  // <-
    ::_exit(0);
}
__attribute__((section(".init_array"), used)) static void (*entry)() = early;
namespace counter { long next() { return 1; } }
)",
     "is listed in .init_array"},
    {"global_string_destructor", R"(#include "counter.hpp"
#include <string>
std::string greeting = "a string long enough to need the heap, really";  // <-
namespace counter { long next() { return static_cast<long>(greeting.size()); } }
)",
     "before main() starts"},
    {"calls_googletest", R"(#include "counter.hpp"
namespace testing { class UnitTest { public: static UnitTest* GetInstance(); }; }
namespace counter { long next() {
    return testing::UnitTest::GetInstance() != nullptr;  // <-
} }
)",
     "GoogleTest's internals (`testing::UnitTest::GetInstance()`)"},
    {"derives_a_listener", R"(#include "counter.hpp"
namespace testing { class EmptyTestEventListener { public: virtual ~EmptyTestEventListener(); virtual void f(); }; }
namespace counter {
struct Quiet : testing::EmptyTestEventListener { void f() override; };  // <-
void Quiet::f() {}
long next() { Quiet* q = new Quiet; long r = q != nullptr; delete q; return r; }
}
)",
     "GoogleTest's internals"},
    {"calls_the_grader", R"(#include "counter.hpp"
extern "C" long conclab_shim_count(int);
namespace counter { long next() {
    return conclab_shim_count(0);  // <-
} }
)",
     "the grader's own code"},
    {"calls_tsan_runtime", R"(#include "counter.hpp"
extern "C" void __tsan_acquire(void*);
namespace counter { long v; long next() {
    __tsan_acquire(&v);  // <-
    return ++v;
} }
)",
     "sanitizer runtime directly (`__tsan_acquire`)"},
    {"calls_asan_report_itself", R"(#include "counter.hpp"
extern "C" void __asan_report_load8(unsigned long);
namespace counter { long next() {
    __asan_report_load8(0);  // <-
    return 1;
} }
)",
     "sanitizer runtime directly", false},
    {"looks_up_symbols", R"(#include "counter.hpp"
#include <dlfcn.h>
namespace counter { long next() {
    return dlsym(RTLD_DEFAULT, "write") != nullptr;  // <-
} }
)",
     "`dlsym`"},
    {"uses_prctl", R"(#include "counter.hpp"
#include <sys/prctl.h>
namespace counter { long next() {
    return prctl(PR_SET_DUMPABLE, 0);  // <-
} }
)",
     "`prctl`"},
    {"reads_another_process", R"(#include "counter.hpp"
#include <sys/uio.h>
namespace counter { long next() {
    return process_vm_readv(1, nullptr, 0, nullptr, 0, 0);  // <-
} }
)",
     "`process_vm_readv`"},
    {"raw_syscall_instruction", R"(#include "counter.hpp"
namespace counter { long next() {
    long r;
    asm volatile("syscall" : "=a"(r) : "a"(39L) : "rcx", "r11", "memory");  // <-
    return r;
} }
)",
     "raw system call (the `syscall` instruction)"},
    {"syscall_by_number", R"(#include "counter.hpp"
#include <unistd.h>
#include <sys/syscall.h>
namespace counter { long next() {
    return ::syscall(SYS_mkdir, "made-behind-the-census", 0755);  // <-
} }
)",
     "system call by its number"},
    {"defines_in_grader_namespace", R"(#include "counter.hpp"
namespace kit { inline long bounded_futex_timeouts = 0; }
namespace counter { long next() {
    return ++kit::bounded_futex_timeouts;  // <-
} }
)",
     "defines `kit::bounded_futex_timeouts`"},
    {"uses_grader_namespace", R"(#include "counter.hpp"
namespace grader { void watch_mkdirs_under(const char*); }
namespace counter { long next() {
    grader::watch_mkdirs_under(nullptr);  // <-
    return 1;
} }
)",
     "uses the grader's own code"},
    // Harmless: <iostream>'s initialiser, libc's syscall() called by
    // libstdc++'s inline code (atomic wait), std::jthread, a constexpr global,
    // a function-local static, names that only end like the grader's.
    {"harmless_library_use", R"(#include "counter.hpp"
#include <atomic>
#include <iostream>
#include <string>
#include <thread>
#include <unistd.h>
namespace mykit { long helper() { return 0; } }
namespace counter {
constexpr long kStart = 41;
std::atomic<long> value{kStart};
long next() {
    static std::string name = "counter";
    std::jthread t([] { value.fetch_add(1); value.notify_all(); });
    t.join();
    long old = value.load();
    value.wait(old - 1);
    if (::getpid() < 0) std::cerr << name << "\n";
    return old + mykit::helper();
}
}
)",
     nullptr},
};

INSTANTIATE_TEST_SUITE_P(Attacks, ObjectSample, ::testing::ValuesIn(kSamples),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace conclab
