namespace pipes { void drop_frame(char*); char* new_frame(int); }
int main() { pipes::drop_frame(pipes::new_frame(32)); }
