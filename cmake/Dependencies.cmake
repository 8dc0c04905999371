# Every dependency is a Debian 12 package (see scripts/deps); nothing is vendored.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(TBB REQUIRED)                       # libtbb-dev
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)   # libjemalloc-dev
# Lua 5.1, the version Redis embeds, for EVAL (server/script_engine.h), with
# the cjson and bit libraries Redis scripts expect. Debian ships those two
# as shared libraries without a development link (lua-cjson, lua-bitop):
# found by their versioned names.
pkg_check_modules(LUA REQUIRED IMPORTED_TARGET lua5.1)         # liblua5.1-0-dev
find_library(TMKV_LUA_CJSON NAMES lua5.1-cjson liblua5.1-cjson.so.0 REQUIRED)   # lua-cjson
find_library(TMKV_LUA_BITOP NAMES lua5.1-bitop liblua5.1-bitop.so.0 REQUIRED)   # lua-bitop
# liblzf 3.6, the compressor Redis bundles, for DUMP payloads that are
# Redis's bytes (server/rdb_string.h).
find_package(liblzf CONFIG REQUIRED)             # liblzf-dev

# jemalloc is the allocator of every binary we ship. Sanitizer builds keep the
# sanitizer's own allocator (it must intercept malloc to find bugs), so there
# the jemalloc statistics report "unavailable" rather than a made-up number.
add_library(tmkv_allocator INTERFACE)
if(TMKV_SANITIZE STREQUAL "")
  target_link_libraries(tmkv_allocator INTERFACE PkgConfig::JEMALLOC)
  target_compile_definitions(tmkv_allocator INTERFACE TMKV_WITH_JEMALLOC=1)
endif()

if(TMKV_BUILD_TESTS)
  find_package(GTest REQUIRED)                   # libgtest-dev, libgmock-dev
endif()
if(TMKV_BUILD_BENCH)
  find_package(benchmark REQUIRED)               # libbenchmark-dev
endif()
