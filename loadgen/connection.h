// One client connection of the engine: a socket, a pipeline of operation
// runners, and the FIFO of command batches whose replies are still due.
//
// Replies arrive in the order the batches were sent, so the front batch of
// the FIFO owns the next replies. A batch is handed to its runner only once
// all its replies are in the receive buffer (the runner sees them as views
// into that buffer). Everything here runs on its worker's thread.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/resp_reply.h"
#include "loadgen/stats.h"
#include "loadgen/workload.h"

namespace tmkv::loadgen {

class Worker;

class Connection {
 public:
  Connection(asio::io_context& io, Worker& worker, ThreadPart& part, int pipeline);

  // Set-up: connect and, with a password, AUTH. Calls worker.on_ready() or
  // worker.fatal().
  void connect(const asio::ip::tcp::endpoint& ep, const std::string& user, const std::string& password);
  // The run: closed loop when interval is zero, else open loop with one
  // operation due every `interval`, the first at `first_due`.
  void begin(Clock::duration interval, Clock::time_point first_due);
  // Tries to start operations (closed loop: on every free runner; open
  // loop: those due by now). Called by the worker when it starts and by
  // the connection itself whenever a runner frees up.
  void fill(Clock::time_point now);
  // fill(), then send what it encoded (the worker's first start).
  void kick(Clock::time_point now) {
    fill(now);
    flush();
  }
  bool idle() const { return active_ == 0; }
  int active() const { return active_; }
  // Open loop: operations scheduled by `t` that were never sent.
  uint64_t unsent_by(Clock::time_point t) const;
  void close();

 private:
  struct Slot {
    std::unique_ptr<OpRunner> runner;
    Clock::time_point intended;  // when the operation started or was scheduled to
    std::unique_ptr<asio::steady_timer> pause;  // made on first use
  };
  struct Batch {
    int slot;  // kSetupSlot: the AUTH at connect
    uint32_t commands;
  };
  static constexpr int kSetupSlot = -1;

  void start_read();
  void on_read(const asio::error_code& ec, size_t n);
  void process_replies(Clock::time_point now);
  void apply(int slot, Step step, Outcome& outcome, Clock::time_point now);
  void start_op(int slot, Clock::time_point intended, Clock::time_point now);
  void arm_due_timer();
  void flush();
  void fail(const std::string& what);

  asio::ip::tcp::socket socket_;
  Worker& worker_;
  std::vector<Slot> slots_;
  std::vector<int> free_;  // idle runners
  int active_ = 0;         // runners with an operation under way

  // Batches sent whose replies are due; a ring of fixed capacity (one per
  // runner plus the set-up), so it never allocates during the run.
  std::vector<Batch> ring_;
  size_t ring_head_ = 0, ring_size_ = 0;

  std::vector<char> rbuf_;
  size_t rstart_ = 0, rend_ = 0;  // unconsumed bytes are [rstart_, rend_)
  ReplyParser parser_;
  std::vector<ReplyNode> nodes_;
  std::vector<uint32_t> offsets_;

  std::string out_fill_;     // commands encoded since the last flush
  std::string out_sending_;  // the bytes of the write in progress
  bool writing_ = false;
  bool closed_ = false;

  // Open loop.
  Clock::duration interval_{};
  Clock::time_point next_due_{};
  asio::steady_timer due_timer_;
  bool due_armed_ = false;
};

}  // namespace tmkv::loadgen
