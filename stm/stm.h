// tmkv STM: the entry header. Start here.
//
//   stm::TVar<int64_t> balance{100};
//   bool ok = stm::atomically([&](stm::Tx& tx) {
//     int64_t b = balance.read(tx);
//     if (b < 10) tx.cancel(false);   // roll back, return false
//     balance.write(tx, b - 10);
//     return true;
//   });
//
// See tx.h for the algorithm (TL2 with an irrevocable fallback), tvar.h for
// values, atomically.h for nesting, cancel and progress, tx_stats.h for the
// per-thread counters, and stm/README.md for the locking conventions.
#pragma once

#include "stm/abort_cause.h"
#include "stm/atomically.h"
#include "stm/epoch.h"
#include "stm/retry_policy.h"
#include "stm/tvar.h"
#include "stm/tx.h"
#include "stm/tx_stats.h"
