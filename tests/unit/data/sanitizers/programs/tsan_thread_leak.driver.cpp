#include <unistd.h>
namespace pool_copy { void start_worker(); }
int main() { pool_copy::start_worker(); usleep(100000); return 0; }
