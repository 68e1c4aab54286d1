#include <string>
#include <vector>
namespace round_robin { struct Job { std::string name; int need; }; int first_need(std::vector<Job*>& q); }
int main() {
    std::vector<round_robin::Job*> q{new round_robin::Job{"Task1", 12}};
    return round_robin::first_need(q) == 12 ? 0 : 1;
}
