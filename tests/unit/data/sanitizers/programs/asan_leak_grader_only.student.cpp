namespace round_robin {

int twice(int x) { return 2 * x; }

}  // namespace round_robin
