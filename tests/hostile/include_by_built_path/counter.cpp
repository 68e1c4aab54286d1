// HOSTILE (tests/hostile/include_by_built_path): reaches for the reference
// solution with #include paths built by macros, relative and absolute. The
// source scan flags #include of a macro-built name; behind it, the compiler
// runs in the sandbox, where neither path exists, and a failed #include of a
// path outside the exercise is flagged as tampering too.
#include "counter.hpp"

#define CONCLAB_Q(x) #x
#define CONCLAB_S(x) CONCLAB_Q(x)
#define CONCLAB_UP ..
#if __has_include(CONCLAB_S(CONCLAB_UP/CONCLAB_UP/reference/counter/counter.cpp))
#include CONCLAB_S(CONCLAB_UP/CONCLAB_UP/reference/counter/counter.cpp)
#else
#include CONCLAB_S(/work/main/reference/counter/counter.cpp)
#endif
