namespace pool_copy { void lock_twice(); }
int main() { pool_copy::lock_twice(); }
