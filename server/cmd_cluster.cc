// CLUSTER, READONLY, READWRITE and ASKING on a server without cluster
// support, answered as a standalone redis-server answers them. Cluster-aware
// clients (redis-py's RedisCluster, go-redis, ioredis, Jedis) probe with
// CLUSTER INFO or CLUSTER SLOTS and tell a standalone server by this exact
// error; an "unknown command" would read as a broken server instead.
// CLUSTER keeps Redis 7.0's subcommands and arities, so an unknown
// subcommand or a wrong count is refused first, as Redis refuses it.
#include "server/command.h"
#include "server/reply.h"

namespace tmkv::server {
namespace {

constexpr SubcommandArity kClusterSubcommands[] = {
    {"addslots", -3, true},       {"addslotsrange", -4, true},     {"bumpepoch", 2, true},
    {"count-failure-reports", 3, true}, {"countkeysinslot", 3},    {"delslots", -3, true},
    {"delslotsrange", -4, true},  {"failover", -2, true},          {"flushslots", 2, true},
    {"forget", 3, true},          {"getkeysinslot", 4},            {"help", 2},
    {"info", 2},                  {"keyslot", 3},                  {"links", 2},
    {"meet", -4, true},           {"myid", 2},                     {"nodes", 2},
    {"replicas", 3, true},        {"replicate", 3, true},          {"reset", -2, true},
    {"saveconfig", 2, true},      {"set-config-epoch", 3, true},   {"setslot", -4, true},
    {"shards", 2},                {"slaves", 3, true},             {"slots", 2},
};

void cmd_cluster_disabled(CommandContext& c) { c.out.error("ERR This instance has cluster support disabled"); }

}  // namespace

void register_cluster_commands(std::vector<CommandSpec>& t) {
  t.push_back({"cluster", -2, 0, 0, 0, 0, "cluster", "A container for cluster commands", cmd_cluster_disabled,
               kClusterSubcommands});
  t.push_back({"readonly", 1, kFast, 0, 0, 0, "cluster",
               "Enables read queries for a connection to a cluster replica node", cmd_cluster_disabled});
  t.push_back({"readwrite", 1, kFast, 0, 0, 0, "cluster",
               "Disables read queries for a connection to a cluster replica node", cmd_cluster_disabled});
  t.push_back({"asking", 1, kFast, 0, 0, 0, "cluster",
               "Sent by cluster clients after an -ASK redirect", cmd_cluster_disabled});
}

}  // namespace tmkv::server
