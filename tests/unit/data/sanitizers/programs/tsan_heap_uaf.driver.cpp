namespace pool_copy { void run_and_free(); }
int main() { pool_copy::run_and_free(); }
