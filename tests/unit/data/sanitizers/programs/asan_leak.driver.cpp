namespace round_robin { void make_tasks(int n); }
int main() { round_robin::make_tasks(100); }
