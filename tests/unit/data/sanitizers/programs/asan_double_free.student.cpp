#include <string>

namespace pool_copy {

struct CopyJob { int from_fd, to_fd; };

void finish(CopyJob* job) {
    delete job;
}

void cleanup(CopyJob* job) {
    finish(job);
    delete job;        // already deleted in finish()
}

}  // namespace pool_copy
