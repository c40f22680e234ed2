#pragma once
// LibTorch before Catch: Debian's build pulls in glog, whose CHECK macros
// would clash with Catch's. Include this first in tests that use LibTorch.
#include <torch/torch.h>
#undef CHECK
#undef CHECK_EQ
#undef CHECK_NE
#undef CHECK_LT
#undef CHECK_LE
#undef CHECK_GT
#undef CHECK_GE
