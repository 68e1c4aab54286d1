namespace round_robin { void run_twice(); }
int main() { round_robin::run_twice(); }
