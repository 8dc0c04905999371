// Every workload by name (--workload).
#pragma once

#include <memory>

#include "loadgen/options.h"
#include "loadgen/workload.h"

namespace tmkv::loadgen {

std::unique_ptr<Workload> make_bank_workload(const Options& opts);      // bank.cc
std::unique_ptr<Workload> make_ycsb_workload(const Options& opts);      // ycsb.cc: ycsb-a/b/c/f
std::unique_ptr<Workload> make_multikey_workload(const Options& opts);  // multikey.cc: mset, mget
std::unique_ptr<Workload> make_custom_workload(const Options& opts, std::string& error);  // custom.cc

// Null (and `error` set) when the options cannot make a workload.
std::unique_ptr<Workload> make_workload(const Options& opts, std::string& error);

// The load phase shared by ycsb-* and mget: SET every key [0, key_count)
// to a value from `values`, MSET in chunks, a few chunks per round trip.
class SyncClient;
class ValueSource;
bool load_keys(SyncClient& client, const Options& opts, const ValueSource& values, std::string& error);

}  // namespace tmkv::loadgen
