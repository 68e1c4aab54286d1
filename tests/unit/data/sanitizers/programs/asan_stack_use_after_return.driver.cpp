namespace round_robin { struct Turn { const int* slice; }; Turn first_turn(int need); }
int main() { auto t = round_robin::first_turn(12); return *t.slice == 6 ? 0 : 1; }
