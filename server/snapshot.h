// Snapshot: a consistent cut of every database, taken in one transaction
// and then read at leisure while the server runs on, with the function
// libraries as they were just before it (they live outside the
// transactional store). What SAVE, BGSAVE and shutdown write into the RDB file (rdb_file.h).
//
// HOW. Values are immutable boxes (store/blob.h): a write builds a new box
// and retires the old one to the epoch reclaimer. So a cut needs only the
// key -> box pointers as of one instant: one irrevocable transaction reads
// every record's pointer (store::Store::snapshot), and the capturing thread
// stays pinned (stm/epoch.h) until the snapshot is destroyed, so none of
// those boxes, nor the records holding the keys, is freed meanwhile. This
// is Redis's fork-and-copy-on-write, done with the structures the
// transactions already have: later writes replace pointers and leave the
// captured versions alone.
//
// COST. The capture holds the serial gate (stm/serial_gate.h): while it
// walks the index no other transaction commits a write; new software
// read-only transactions run on, other new ones wait to begin. That pause
// grows with the key count (about 40 ms per million keys here, 3.4x
// Redis's fork: docs/BENCHMARKS.md, "Snapshots"; the lists it fills are
// allocated and touched before the gate is taken, as their page faults
// were most of it) and is reported as INFO's
// latest_fork_usec, the field where Redis reports its fork's pause. The
// serializing afterwards blocks nothing. Memory: boxes replaced while a
// snapshot is held are reclaimed only after it is destroyed (the epoch
// stays pinned), as Redis's copy-on-write pages are.
//
// THREAD SAFETY: capture, read and destroy on one thread (the pin is that
// thread's).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace tmkv::server {

class Server;

// What a snapshot holds: Redis's rdb-filter-only (REPLCONF) can leave out
// the keys, the function libraries or both.
struct SnapshotContents {
  bool keys = true;
  bool functions = true;
};

class Snapshot {
 public:
  // Without keys there is no transaction and no pause: dbs are all empty.
  static std::unique_ptr<Snapshot> capture(Server& server, SnapshotContents contents = {});
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // dbs[i]: database i's keys, in no particular order.
  std::vector<std::vector<store::Store::SnapshotEntry>> dbs;
  // The function libraries' code, by library name.
  std::vector<std::string> function_codes;
  // How long the capture held the serial gate, in microseconds.
  uint64_t pause_us = 0;

 private:
  Snapshot() = default;
};

}  // namespace tmkv::server
