#pragma once

namespace neurotwin {

// For a program's main(), before training: makes glibc's malloc keep freed
// large blocks (up to 512 MiB in all) instead of returning them to the kernel
// at once. A training step allocates and frees the same tens-of-MB tensors
// (weight gradients, convolution workspaces) every step; mapped afresh each
// time, every page faults in again, which on virtual machines costs as much
// as the arithmetic. Process-wide, so libraries never call it themselves.
void keep_large_allocations();

}  // namespace neurotwin
