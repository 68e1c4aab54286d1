namespace pipes { int spawn_with_helper(); }
int main() { return pipes::spawn_with_helper(); }
