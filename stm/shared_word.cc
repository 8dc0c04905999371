#include "stm/shared_word.h"

namespace tmkv::stm {

#if TMKV_HTM_EMULATION
constinit std::atomic<const SharedMemoryHooks*> g_shared_memory_hooks{nullptr};
#endif

}  // namespace tmkv::stm
