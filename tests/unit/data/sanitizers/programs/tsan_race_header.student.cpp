#include "counter.hpp"

namespace counter {

int TicketOffice::remaining() const noexcept { return left_; }

}  // namespace counter
