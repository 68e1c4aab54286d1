// HOSTILE (tests/hostile/compile_bomb_dev_zero): an #include of /dev/zero by
// a macro-built path. The source scan flags any #include whose name comes
// from a macro; were it missed, the compiler would read forever and the
// sandbox's compile limits (wall, CPU, memory) would stop it.
#include "counter.hpp"

#define CONCLAB_Q(x) #x
#define CONCLAB_S(x) CONCLAB_Q(x)
#include CONCLAB_S(/dev/zero)
