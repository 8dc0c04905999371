#include "loadgen/workloads.h"

#include <algorithm>

#include "loadgen/resp_encode.h"
#include "loadgen/sync_client.h"
#include "loadgen/value_source.h"

namespace tmkv::loadgen {

std::unique_ptr<Workload> make_workload(const Options& opts, std::string& error) {
  if (opts.workload == "bank") return make_bank_workload(opts);
  if (opts.workload.rfind("ycsb-", 0) == 0) return make_ycsb_workload(opts);
  if (opts.workload == "mset" || opts.workload == "mget") return make_multikey_workload(opts);
  if (opts.workload == "custom") return make_custom_workload(opts, error);
  error = "unknown workload '" + opts.workload + "'";
  return nullptr;
}

bool load_keys(SyncClient& client, const Options& opts, const ValueSource& values, std::string& error) {
  constexpr uint64_t kKeysPerMset = 500, kMsetsPerTrip = 20;
  Rng rng(opts.seed ^ 0x10adU);
  uint64_t key = 0;
  while (key < opts.key_count) {
    std::string req;
    RespEncoder enc(req);
    uint64_t commands = 0;
    for (; commands < kMsetsPerTrip && key < opts.key_count; ++commands) {
      const uint64_t last = std::min(opts.key_count, key + kKeysPerMset);
      enc.begin(1 + 2 * (last - key));
      enc.arg("MSET");
      for (; key < last; ++key) {
        enc.key_arg(opts.key_prefix, key);
        enc.arg(values.next(rng));
      }
    }
    if (!client.exchange(req, commands, error) || !client.no_errors(commands, "MSET", error)) return false;
  }
  return true;
}

}  // namespace tmkv::loadgen
