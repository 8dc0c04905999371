// The bank: accounts are keys holding integer balances with a known total.
//
//   transfer  WATCH src dst; GET src; GET dst          (one round trip)
//             if src's balance covers the amount:
//               MULTI; DECRBY src x; INCRBY dst x; EXEC (second round trip)
//               a nil EXEC (a WATCHed key changed) retries from WATCH;
//             else UNWATCH ("transfer-declined")
//   report    MULTI; GET every account; EXEC  or  MULTI; MGET all; EXEC
//             (alternately): every report must show the exact total and
//             no negative balance
//   verify    after the run: the total is conserved, no balance is
//             negative, every balance equals its initial value plus the
//             transfers the clients saw commit, and no report or EXEC
//             reply was inconsistent; any failure makes the run fail.
//
// --unsafe-transfers (hidden, for the tests) breaks the transfer on
// purpose: GET src, then DECRBY src, a pause, then INCRBY dst, with no
// WATCH and no MULTI, so money is visibly missing during the pause. The
// reports must catch it.
#pragma once

#include <memory>

#include "loadgen/key_chooser.h"
#include "loadgen/options.h"
#include "loadgen/workload.h"

namespace tmkv::loadgen {

std::unique_ptr<Workload> make_bank_workload(const Options& opts);

}  // namespace tmkv::loadgen
