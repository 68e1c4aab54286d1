#include <climits>

namespace counter {

long long total_sold(int per_office, int offices) {
    int total = per_office * offices;
    return total;
}

}  // namespace counter
