namespace pool_copy { struct CopyJob { int from_fd, to_fd; }; void cleanup(CopyJob* job); }
int main() { pool_copy::cleanup(new pool_copy::CopyJob{3, 4}); }
