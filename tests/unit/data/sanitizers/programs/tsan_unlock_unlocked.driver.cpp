namespace pool_copy { void release_twice(); }
int main() { pool_copy::release_twice(); }
