#include "server/snapshot.h"

#include <chrono>

#include "htm/atomically.h"
#include "server/function_registry.h"
#include "server/server.h"
#include "stm/epoch.h"
#include "stm/thread_context.h"

namespace tmkv::server {

std::unique_ptr<Snapshot> Snapshot::capture(Server& server, SnapshotContents contents) {
  std::unique_ptr<Snapshot> s(new Snapshot());
  // Pinned before the transaction pins (pins nest) and until ~Snapshot:
  // the boxes and records read below outlive the transaction.
  stm::epoch_pin(stm::this_thread_context());
  if (contents.functions) {
    for (const auto& lib : server.functions().libraries()) s->function_codes.push_back(lib->code);
  }
  s->dbs.resize(server.database_count());
  if (!contents.keys) return s;
  // The lists' memory is allocated and touched before the gate is taken:
  // page faults on tens of megabytes would otherwise lengthen the pause.
  for (unsigned i = 0; i < server.database_count(); ++i) {
    const size_t expect = server.db(i).size();
    s->dbs[i].resize(expect + expect / 8 + 64);
    s->dbs[i].clear();  // keeps the capacity, which Store::snapshot reuses
  }
  const auto t0 = std::chrono::steady_clock::now();
  // Irrevocable from the first attempt: a walk of every key would seldom
  // commit optimistically while other threads write, and each failed
  // attempt would cost a whole walk.
  htm::atomically(
      [&](stm::Tx& tx) {
        for (unsigned i = 0; i < server.database_count(); ++i) server.db(i).snapshot(tx, &s->dbs[i]);
      },
      stm::TxKind::kIrrevocable);
  s->pause_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  return s;
}

Snapshot::~Snapshot() { stm::epoch_unpin(stm::this_thread_context()); }

}  // namespace tmkv::server
