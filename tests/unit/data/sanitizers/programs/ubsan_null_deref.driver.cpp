namespace round_robin { struct Slot; int need_of(Slot* s); }
int main(int argc, char**) { return round_robin::need_of(argc > 5 ? reinterpret_cast<round_robin::Slot*>(&argc) : nullptr); }
