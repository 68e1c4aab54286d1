namespace round_robin { int remaining(int need, int slice); }
int main() { return round_robin::remaining(11, 2); }
