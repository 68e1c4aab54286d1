namespace pool_copy { void close_pool(); }
int main() { pool_copy::close_pool(); }
