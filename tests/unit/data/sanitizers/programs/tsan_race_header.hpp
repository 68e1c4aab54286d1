#pragma once
namespace counter {
class TicketOffice {
public:
    explicit TicketOffice(int tickets) : left_(tickets) {}
    bool buy() noexcept {
        if (left_ > 0) {
            --left_;
            return true;
        }
        return false;
    }
    int remaining() const noexcept;
private:
    int left_;
};
}
