# Warnings are errors for the project's own code. Third-party headers come in
# through imported targets, whose include directories CMake marks SYSTEM.
add_library(neurotwin_warnings INTERFACE)
target_compile_options(neurotwin_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Werror)
