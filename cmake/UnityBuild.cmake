# Unity ("jumbo") builds for the libraries with many sources, to keep CI's
# three builds inside its 30 minutes on two cores. Each server, loadgen and
# metrics file includes Asio (or prometheus-cpp) and instantiates much the
# same templates; compiled in batches, that work is done once per batch
# instead of once per file.
#
# Measured on one clean Release build here: server objects 250 -> 135 s of
# CPU, loadgen 93 -> 49 s, metrics 21 -> 10 s.
#
# Off by default: a unity batch sees every earlier file's internal helpers,
# so it could hide a missing #include, or let a call resolve to a same-named
# helper of another file. scripts/test builds the release configuration file
# by file, which proves each file stands alone, and turns this on only for the
# sanitizer builds, which then run the same tests. CMake never batches a file
# with its own compile options (htm/hw_rtm.cc and the like).
# Test binaries are one source each, so there is nothing to batch there.
option(TMKV_UNITY_BUILD "Compile the larger libraries in unity batches" OFF)
set(TMKV_UNITY_BATCH_SIZE 16 CACHE STRING "Sources per unity batch")

# tmkv_unity_build(TARGET): batch TARGET's sources when TMKV_UNITY_BUILD is on.
function(tmkv_unity_build target)
  if(TMKV_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES
      UNITY_BUILD ON
      UNITY_BUILD_BATCH_SIZE ${TMKV_UNITY_BATCH_SIZE})
  endif()
endfunction()
