// The `pipes` demo program: the seed's exchange. Not edited by students.
// The grader runs it and compares its standard output with exactly
//   [42, None, 'hello']
// and its exit status with 0 (the child's exit code, from run_demo()).
#include <iostream>

#include "pipes.hpp"

int main() { return pipes::run_demo(std::cout); }
