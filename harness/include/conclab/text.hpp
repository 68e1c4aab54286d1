#pragma once
// Small text helpers more than one stage needs: written once here.
#include <string>
#include <string_view>

namespace conclab {

// `line` with every run of spaces, tabs and carriage returns made one space,
// and none at its start or end: two lines compare equal when they differ only
// in that white space (handout.cpp's leak check, header_context.cpp's regions).
std::string fold_spaces(std::string_view line);

}  // namespace conclab
