// Connection: one client socket on one worker thread.
//
// The loop is read -> parse every complete request in the buffer -> run each
// (replies accumulate in one buffer) -> write the whole batch (a direct
// non-blocking send; only a remainder goes through an async write) -> read
// again.
// So a pipeline of N requests costs one read and one write, and a client that
// does not read its replies stops being read (back-pressure) instead of
// growing our buffers. Requests are parsed incrementally: a half-sent
// request holds its bytes, never a thread.
//
// Memory: a connection holds one read's worth of input buffer while it waits
// for a request, and no reply buffer. A big request or pipeline grows the
// input buffer; once drained it goes back to one read's worth. A connection
// idle for two seconds (as in Redis's clientsCron) *parks*: its pending read
// is replaced by a readiness wait, and both buffers are freed, so an idle
// client costs the connection objects alone.
//
// Lifetime: shared_ptr, held by the pending asio operation (a read's is
// EdgeReadSocket's) and by the worker's connection set; everything runs on
// the owning worker's thread.
#pragma once

#include <asio.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/blocking.h"
#include "server/client.h"
#include "server/edge_read_socket.h"
#include "server/monitor.h"
#include "server/resp_parser.h"
#include "server/snapshot_transfer.h"

namespace tmkv::server {

class Server;
struct WorkerStats;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server& server, asio::ip::tcp::socket socket, WorkerStats& stats, uint64_t id, std::string addr,
             std::string laddr);
  ~Connection();

  // Starts reading; `refusal`, if not empty, is sent instead and the
  // connection closes (maxclients, protected mode).
  void start(std::string refusal);
  // Owner thread: close once the reply being written (if any) is out.
  void close_gracefully();
  // Owner thread: idle longer than the timeout, or killed?
  bool should_close(int64_t now_ms, uint64_t timeout_s) const;
  Client& client() { return client_; }
  // Owner thread (posted by the mailbox): writes out MONITOR lines and
  // pub/sub messages, or closes the connection if they overflowed.
  void flush_mailbox();
  // Owner thread, from the worker's tick: gives back what the reply buffer
  // holds beyond its recent peak, and parks the connection once it has been
  // idle for kParkAfterIdleMs (see Memory above).
  void trim_buffers(int64_t now_ms);

  static constexpr int64_t kParkAfterIdleMs = 2000;

 private:
  void do_read();
  void on_read(const std::error_code& ec, size_t n);
  void park();  // frees the input buffer and waits for readability instead of reading
  void on_readable(const std::error_code& ec);
  void show_buffers();  // mirrors the buffer sizes into client_.shown_buffers
  void process_input();
  void run_requests();  // parses and runs buffered requests into out_
  void prefetch_next_batch();  // see pipeline_prefetch.h
  bool write_now();     // true: out_ fully written; false: async write pending or closed
  void on_write(const std::error_code& ec, size_t n);
  void close();
  // Ends MONITOR, pub/sub subscriptions and CLIENT TRACKING: nothing more
  // is fed into this connection's mailbox (close, and a snapshot transfer).
  void leave_feeds();
  void update_monitoring();  // after a command that set client_.monitor_change
  void take_mailbox();       // appends what the mailbox holds to out_
  // Blocking list commands (blocking.h): registers the client after its
  // command asked to block; re-runs it when woken; ends the wait when it is
  // served, times out, or the connection closes.
  void enter_blocked(std::span<const std::string_view> args);
  void retry_blocked();
  void on_block_timeout();
  // A timeout (error empty) or CLIENT UNBLOCK (failed; ERROR: the error).
  void end_wait(std::string_view error, bool failed);
  void leave_blocked();
  void resume_after_blocked();  // writes what the wait produced, then runs what was buffered meanwhile
  // CLIENT PAUSE (client_pause.h): the request the dispatcher held stays
  // unconsumed, and so do those behind it; the client parks until the
  // pause ends, then runs them in order. False if the pause ended before
  // it could park: run the request now. A held retry of a blocked
  // command is run again at the end.
  bool hold_for_pause();
  void on_pause_end();
  void hold_retry_for_pause();
  void drop_pause_tickets();  // leaving (close, destruction): nothing stays parked
  // SYNC / PSYNC for an rdb-only client (snapshot_transfer.h). Once the
  // command's reply (none) and those before it are written, the
  // connection asks for a snapshot (false: refused, with the error in
  // out_), then sends it with sendfile(2) as the socket drains, then closes.
  bool begin_transfer();
  void on_snapshot_ready(PreparedSnapshot&& snapshot);
  void send_snapshot_file();

  Server& server_;
  EdgeReadSocket socket_;  // a read that left nothing queued makes the next wait for epoll (edge_read_socket.h)
  WorkerStats& stats_;
  Client client_;
  RespParser parser_;
  bool registered_ = false;

  // Input: bytes [in_start_, in_end_) of in_ are received and unconsumed.
  std::string in_;
  size_t in_start_ = 0, in_end_ = 0;
  // Requests before this offset of in_ had their keys prefetched
  // (pipeline_prefetch.h); reset whenever in_'s offsets move.
  size_t prefetched_end_ = 0;
  std::string out_;      // replies not yet written
  std::string writing_;  // the unwritten remainder an async write is sending
  size_t out_peak_ = 0;   // the most out_ held since the last trim_buffers
  bool writing_now_ = false;
  bool reading_now_ = false;  // a read or a readiness wait (parked_) is pending
  bool park_requested_ = false;  // the pending read was cancelled to park
  bool parked_ = false;
  bool closing_ = false;  // close after the current write
  bool closed_ = false;
  bool monitor_subscribed_ = false;  // client_.mailbox is in the server's MonitorFeed
  // While blocked: the waiter in the server's registry, the command (run
  // again on every wake-up), and its timer. Owner thread only.
  std::shared_ptr<BlockedWaiter> waiter_;
  std::vector<std::string> blocked_args_;
  Client::BlockRequest::OnTimeout blocked_on_timeout_ = Client::BlockRequest::OnTimeout::kNullArray;
  std::unique_ptr<asio::steady_timer> block_timer_;
  // Parked by CLIENT PAUSE: a held request (pause_ticket_) or a held retry
  // of the blocked command (retry_ticket_); 0 when not parked. Owner thread.
  uint64_t pause_ticket_ = 0;
  uint64_t retry_ticket_ = 0;
  // A snapshot transfer: kRequested once SYNC returned (the requests behind
  // it never run), kPreparing while the producer writes the file (nothing
  // is read or run), kSending while the file goes out. Owner thread.
  enum class Transfer { kNone, kRequested, kPreparing, kSending };
  Transfer transfer_ = Transfer::kNone;
  Client::SnapshotSend transfer_request_;
  UniqueFd transfer_file_;
  SnapshotTransfers::Slot transfer_slot_;  // from SYNC until close()
  uint64_t transfer_size_ = 0, transfer_sent_ = 0;
  bool transfer_waiting_ = false;  // waiting for the socket to take more
};

}  // namespace tmkv::server
