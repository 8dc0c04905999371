# Our own code builds with -Wall -Wextra -Werror; third-party headers are
# found as system includes and so do not trip it.
add_library(tmkv_warnings INTERFACE)
target_compile_options(tmkv_warnings INTERFACE -Wall -Wextra -Werror)

if(TMKV_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(TMKV_SANITIZER_BUILD=1)
elseif(TMKV_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  add_compile_definitions(TMKV_SANITIZER_BUILD=1 TMKV_TSAN_BUILD=1)
elseif(NOT TMKV_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TMKV_SANITIZE must be '', 'address' or 'thread'")
endif()
