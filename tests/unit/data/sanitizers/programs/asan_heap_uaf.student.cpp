#include <string>
#include <vector>

namespace round_robin {

struct Job { std::string name; int need; };

int first_need(std::vector<Job*>& queue) {
    Job* front = queue.front();
    delete front;                 // finished: free it
    return front->need;           // ... and read it afterwards
}

}  // namespace round_robin
