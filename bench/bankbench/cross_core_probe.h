// How far apart the machine's first two CPUs are, as a cache-line round trip
// between two threads pinned one to each.
//
// Why a benchmark needs it: on the shared 2-vCPU VMs we measure on, the
// hypervisor places the two vCPUs either close together (a round trip of
// about 60 ns) or far apart (about 400 ns, as across two chiplets) and
// moves them between minutes. Far apart, every account line that the other
// worker wrote last costs a cross-chiplet transfer, slower than DRAM, so a
// small working set that fits the last-level cache (stm's 16 MB of
// accounts) pays it far more often than a large one that does not
// (ordered-locks' 48 MB). The T=2 results are bimodal with the placement;
// bankbench.sh records it per round so that the tables say which they are.
#pragma once

#include <cstdio>
#include <optional>

namespace tmkv::bankbench {

// The median of five batches of 20,000 round trips (about 10-50 ms), in
// nanoseconds. nullopt where the process cannot run on two CPUs (one CPU, or
// an affinity mask that allows only one), or where the probe took over half
// a second (a CPU busy with something else).
std::optional<double> MeasureCrossCoreRoundTripNs();

// Prints "cross_core_rtt_ns: before B after A" for probes taken just before
// and just after a run (the placement can change during one), "n/a" for a
// probe that could not run.
void PrintCrossCoreProbe(std::FILE* out, std::optional<double> before, std::optional<double> after);

}  // namespace tmkv::bankbench
