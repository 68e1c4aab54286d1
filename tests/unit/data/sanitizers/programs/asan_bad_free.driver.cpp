namespace pipes { void release_buffer(char* p); char* get_buffer(); }
int main() { pipes::release_buffer(pipes::get_buffer()); }
