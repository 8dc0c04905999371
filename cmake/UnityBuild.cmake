# Unity ("jumbo") builds for the libraries with many sources, to keep CI's
# three builds inside its 30 minutes on two cores. Each server, loadgen and
# metrics file includes Asio (or prometheus-cpp) and instantiates much the
# same templates; compiled in batches, that work is done once per batch
# instead of once per file.
#
# Measured with ASan's flags, two cores, same minutes: `ninja -j2
# tmkv_server_lib tmkv_loadgen_lib tmkv_metrics tmkv_store` from clean took
# 254 s file by file and 121 s batched.
#
# On by default, in every tree (scripts/run's build/ and all three of
# scripts/test's), so that CI tests the program that ships. The cost: a unity
# batch sees every earlier file's includes and internal helpers, so it could
# hide a missing #include, or let a call resolve to a same-named helper of
# another file. Configure with -DTMKV_UNITY_BUILD=OFF to compile file by
# file and check that each file stands alone (and for quicker incremental
# rebuilds while editing one file). Batching already exposed two such
# clashes here, both removed: HRANDFIELD's and ZRANDMEMBER's duplicated
# reply helper (now in cmd_util), and the hash and sorted-set values'
# same-named internals. CMake never batches a file with its own compile
# options (htm/hw_rtm.cc and the like). Test binaries are one source each,
# so there is nothing to batch there.
option(TMKV_UNITY_BUILD "Compile the larger libraries in unity batches" ON)
set(TMKV_UNITY_BATCH_SIZE 16 CACHE STRING "Sources per unity batch")

# tmkv_unity_build(TARGET): batch TARGET's sources when TMKV_UNITY_BUILD is on.
function(tmkv_unity_build target)
  if(TMKV_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES
      UNITY_BUILD ON
      UNITY_BUILD_BATCH_SIZE ${TMKV_UNITY_BATCH_SIZE})
  endif()
endfunction()
