// Key prefetch for pipelined requests.
//
// A client that pipelines N commands leaves N requests in one read buffer.
// Run one by one, each lookup's cache misses (index slot, record, value box:
// store/index.h) start only when the previous command is done, so a batch
// pays N full memory latencies in a row. Before running a batch, the
// connection finds the keys of the next few complete requests here and has
// the store prefetch them all at once (Store::prefetch), so the misses
// overlap. The keys of one multi-key request (MSET, MGET) are fetched
// together the same way. Redis 8 and Valkey do the same for their I/O
// threads, with the same knob name and default (prefetch-batch-max-size 16).
//
// The scan is deliberately shallow: complete multibulk requests only, with
// the command table's key positions. It stops at the first request it does
// not fully understand (an inline one, an incomplete one, an unknown
// command), which the parser then handles as usual. Nothing here decides
// anything: a wrong key only wastes a prefetch.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace tmkv::server {

struct PipelineKeys {
  size_t commands = 0;  // complete multibulk requests scanned
  size_t bytes = 0;     // input bytes those requests span
};

// Scans at most `max_commands` complete multibulk requests at the start of
// `input` and appends the key arguments of each (per the command table;
// none for commands without keys) to *keys, at most `max_keys` in all. The
// views point into `input`.
PipelineKeys collect_pipeline_keys(std::string_view input, size_t max_commands, size_t max_keys,
                                   std::vector<std::string_view>* keys);

}  // namespace tmkv::server
