// The interface between the engine (connections, loops, statistics) and a
// workload (what commands an operation sends and what its replies mean).
//
// An operation is a short state machine: it sends a batch of commands,
// reads the batch's replies, and either sends another batch (the second
// round trip of a WATCH transaction, a retry) or finishes. An OpRunner runs
// one operation at a time, one after another, on one connection; a
// connection holds --pipeline runners. Runners and their ThreadPart belong
// to one worker thread and are never touched by another.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/resp_encode.h"
#include "loadgen/resp_reply.h"

namespace tmkv::loadgen {

class SyncClient;

// The replies to the batch a runner sent last, in order.
class ReplyBatch {
 public:
  ReplyBatch(const ReplyNode* nodes, const uint32_t* offsets, size_t n) : nodes_(nodes), offsets_(offsets), n_(n) {}
  size_t size() const { return n_; }
  Reply operator[](size_t i) const { return Reply(nodes_ + offsets_[i]); }
  bool any_error() const {
    for (size_t i = 0; i < n_; ++i)
      if ((*this)[i].contains_error()) return true;
    return false;
  }

 private:
  const ReplyNode* nodes_;
  const uint32_t* offsets_;
  size_t n_;
};

// What a finished operation tells the statistics.
struct Outcome {
  int op_type = 0;            // index into Workload::op_names()
  bool error = false;         // some reply was an error (counted, not timed)
  uint32_t retries = 0;       // nil EXECs (WATCH conflicts) before it finished
  std::string error_message;  // first error, filled only when error is set
};

// What a runner does next: send `commands` commands it has just encoded,
// or pause for pause_us microseconds and then be resumed, or (both zero)
// the operation is finished.
struct Step {
  uint32_t commands = 0;
  uint32_t pause_us = 0;
  static Step send(uint32_t n) { return {n, 0}; }
  static Step pause(uint32_t us) { return {0, us}; }
  static Step done() { return {0, 0}; }
  bool finished() const { return commands == 0 && pause_us == 0; }
};

class OpRunner {
 public:
  virtual ~OpRunner() = default;
  // Starts a new operation: encodes its first batch.
  virtual Step start(RespEncoder& enc) = 0;
  // The replies to the last batch: encode the next one, pause, or finish
  // (then fill `outcome`).
  virtual Step on_replies(const ReplyBatch& replies, RespEncoder& enc, Outcome& outcome) = 0;
  // After a pause: encode the next batch (or finish, filling `outcome`).
  virtual Step resume(RespEncoder& /*enc*/, Outcome& /*outcome*/) { return Step::done(); }
};

// A worker thread's share of a workload: its random streams, and whatever
// the workload accumulates for verification. Used by that thread only;
// read by the main thread after the worker has been joined.
class ThreadPart {
 public:
  virtual ~ThreadPart() = default;
  virtual std::unique_ptr<OpRunner> make_runner() = 0;
};

// Result of a workload's own verification (bank) after the run.
struct Verification {
  bool ran = false;                  // the workload verifies at all
  bool ok = true;
  std::vector<std::string> lines;    // what was checked and found, for the report
};

class Workload {
 public:
  virtual ~Workload() = default;
  virtual std::string name() const = 0;
  virtual std::vector<std::string> op_names() const = 0;
  // True when one operation spans several round trips under WATCH, so a
  // connection cannot carry other operations at the same time (--pipeline 1).
  virtual bool needs_exclusive_connection() const { return false; }
  // The load phase (before the run), over a plain client. Returns false and
  // sets `error` on failure.
  virtual bool load(SyncClient& /*client*/, std::string& /*error*/) { return true; }
  virtual std::unique_ptr<ThreadPart> make_thread_part(uint64_t seed) = 0;
  // After the run: verification over a plain client, given every thread's part.
  // `complete` is false when some operations were cut off unfinished.
  virtual Verification verify(SyncClient& /*client*/, const std::vector<ThreadPart*>& /*parts*/,
                              bool /*complete*/) {
    return {};
  }
  // Extra lines for the final report (e.g. the bank's transfer summary).
  virtual std::vector<std::pair<std::string, double>> extra_numbers(const std::vector<ThreadPart*>& /*parts*/) {
    return {};
  }
};

}  // namespace tmkv::loadgen
