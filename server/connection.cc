#include "server/connection.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "server/cmd_pubsub.h"
#include "server/dispatch.h"
#include "server/pipeline_prefetch.h"
#include "server/reply.h"
#include "server/server.h"
#include "server/tracking.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {
constexpr size_t kReadChunk = 16 * 1024;
// A drained input buffer larger than this (grown by a big request or
// pipeline) is freed before the next read, which allocates one read's worth.
constexpr size_t kMaxKeptInput = 2 * kReadChunk;
// The bytes a buffer holds on the heap (a short string lives inside the
// object, which tot-mem counts as part of the connection).
size_t heap_bytes(const std::string& s) { return s.capacity() > std::string().capacity() ? s.capacity() : 0; }
// The reply buffer's capacity kept at a trim check: twice its recent peak,
// and never less than this (below it, trimming gains too little).
constexpr size_t kMinTrimmedReply = 1024;
// Stop running pipelined requests once this much reply is waiting and write
// it first: bounds the output buffer of a client that pipelines thousands of
// big GETs.
constexpr size_t kMaxBatchReply = 256 * 1024;
}  // namespace

Connection::Connection(Server& server, asio::ip::tcp::socket socket, WorkerStats& stats, uint64_t id,
                       std::string addr, std::string laddr)
    : server_(server),
      socket_(std::move(socket)),
      stats_(stats),
      client_(id, std::move(addr), std::move(laddr), store::system_unix_ms(), socket_.native_handle()) {
  // As Redis: a client that connects while no password is set is
  // authenticated for good (setting one later does not lock it out).
  client_.authenticated = !server_.limits().requirepass_set.load(std::memory_order_relaxed);
}

Connection::~Connection() {
  drop_pause_tickets();
  if (waiter_) server_.blocking().remove(waiter_);  // never closed (shutdown): leave no waiter behind
  if (client_.mailbox) server_.monitors().unsubscribe(client_.mailbox.get());
  unsubscribe_all_silently(server_, client_);
  client_tracking_off(server_, client_);
  if (registered_) {
    unwatch_all(server_, client_);
    server_.unregister_client(&client_);
  }
}

void Connection::start(std::string refusal) {
  if (refusal.empty()) {
    if (!server_.register_client(&client_)) {
      refusal = "-ERR max number of clients reached\r\n";
    } else {
      registered_ = true;
    }
  }
  std::error_code ec;
  socket_.non_blocking(true, ec);  // for write_now(); asio's async operations work either way
  // MONITOR and pub/sub open the mailbox on first use; its wake-ups run
  // here, on this connection's thread.
  std::weak_ptr<Connection> weak = weak_from_this();
  // The mailbox is shared with other threads too: a tracking client that
  // redirects here finds it through the client registry (tracking.h).
  client_.open_mailbox = [this, weak, executor = socket_.get_executor()] {
    auto mailbox = std::make_shared<Mailbox>(executor, [weak] {
      if (auto c = weak.lock()) c->flush_mailbox();
    });
    client_.share_mailbox(mailbox);
    return mailbox;
  };
  if (!refusal.empty()) {
    out_ = std::move(refusal);
    closing_ = true;
    if (write_now()) close();
    return;
  }
  do_read();
  show_buffers();
}

bool Connection::should_close(int64_t now_ms, uint64_t timeout_s) const {
  if (client_.kill_requested.load(std::memory_order_relaxed)) return true;
  if (transfer_ != Transfer::kNone) {
    // A snapshot being prepared or sent is not idleness; but a client that
    // takes no byte of it for repl-timeout is dropped, as Redis drops a
    // replica (and it gives back its transfer slot).
    const auto limit = static_cast<int64_t>(server_.limits().repl_timeout_s.load(std::memory_order_relaxed));
    return transfer_ == Transfer::kSending &&
           now_ms - client_.last_active_ms.load(std::memory_order_relaxed) > limit * 1000;
  }
  if (timeout_s == 0) return false;
  // As Redis: a blocked client waits for its own timeout, not the idle one.
  if (waiter_ || pause_ticket_ != 0) return false;
  // As Redis: the idle timeout spares subscribers and monitors, which wait
  // for the server to speak.
  if (client_.monitoring || client_.pubsub.total() != 0) return false;
  return now_ms - client_.last_active_ms.load(std::memory_order_relaxed) > static_cast<int64_t>(timeout_s) * 1000;
}

void Connection::close_gracefully() {
  if (writing_now_) {
    closing_ = true;  // on_write closes
  } else {
    close();
  }
}

void Connection::do_read() {
  if (closed_ || reading_now_) return;
  if (in_start_ == in_end_) {
    in_start_ = in_end_ = prefetched_end_ = 0;
    if (in_.size() > kMaxKeptInput) std::string().swap(in_);  // regrown to one read's worth below
  }
  // Room for the next read: compact consumed bytes away, then grow.
  if (in_.size() - in_end_ < kReadChunk && in_start_ > 0) {
    std::memmove(in_.data(), in_.data() + in_start_, in_end_ - in_start_);
    in_end_ -= in_start_;
    in_start_ = 0;
    prefetched_end_ = 0;
  }
  if (in_.size() - in_end_ < kReadChunk) in_.resize(std::max(in_.size() * 2, in_end_ + kReadChunk));
  reading_now_ = true;
  socket_.async_read<&Connection::on_read>(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                                          shared_from_this());
}

void Connection::on_read(const std::error_code& ec, size_t n) {
  reading_now_ = false;
  if (park_requested_) {
    park_requested_ = false;
    // The read trim_buffers cancelled. It may have completed first, with
    // bytes: then it is handled as any read, and the connection is busy.
    if (ec == asio::error::operation_aborted && !closed_) {
      park();
      return;
    }
  }
  if (ec || closed_) {
    close();
    return;
  }
  in_end_ += n;
  WorkerStats::bump(stats_.net_in, n);
  client_.last_active_ms.store(store::system_unix_ms(), std::memory_order_relaxed);
  // Redis's client-query-buffer-limit: unparsed input may not grow past it.
  if (in_end_ - in_start_ > server_.limits().client_query_buffer_limit.load(std::memory_order_relaxed)) {
    close();
    return;
  }
  process_input();
}

void Connection::park() {
  // Nothing is buffered (trim_buffers checked): free the input buffer and
  // let the reactor tell us when the client speaks again. asio re-arms the
  // socket's registration for the wait, so bytes that arrived meanwhile
  // wake it at once.
  std::string().swap(in_);
  in_start_ = in_end_ = prefetched_end_ = 0;
  socket_.release_read_state();
  parked_ = true;
  reading_now_ = true;  // do_read() stays out until the wait ends
  socket_.async_wait(asio::socket_base::wait_read,
                     [self = shared_from_this()](const std::error_code& ec) { self->on_readable(ec); });
  show_buffers();
}

void Connection::on_readable(const std::error_code& ec) {
  reading_now_ = false;
  parked_ = false;
  if (ec || closed_) {
    close();
    return;
  }
  do_read();  // speculative: the bytes are there, so the read completes at once
}

void Connection::trim_buffers(int64_t now_ms) {
  // Only between batches, with nothing in flight: out_ is empty then (each
  // batch is written or handed to writing_ before its handler returns), and
  // the input buffer is only touched by the pending read.
  if (closed_ || writing_now_ || parked_ || park_requested_ || !out_.empty() || transfer_ != Transfer::kNone) return;
  // Redis's clientsCronResizeOutputBuffer: a reply buffer much larger than
  // what recent batches needed shrinks to twice their peak.
  if (out_.capacity() > kMinTrimmedReply && out_.capacity() > 2 * out_peak_) {
    std::string smaller;
    smaller.reserve(std::max(2 * out_peak_, kMinTrimmedReply));
    out_.swap(smaller);
  }
  out_peak_ = 0;
  const bool idle = now_ms - client_.last_active_ms.load(std::memory_order_relaxed) >= kParkAfterIdleMs;
  if (idle && reading_now_ && in_start_ == in_end_) {
    std::string().swap(out_);
    // The pending read owns the input buffer until it completes: cancel it;
    // on_read sees the request and parks.
    park_requested_ = true;
    std::error_code ignored;
    socket_.cancel(ignored);
  }
  show_buffers();
}

void Connection::show_buffers() {
  ShownBuffers& b = client_.shown_buffers;
  const size_t query = in_end_ - in_start_;
  b.query.store(query, std::memory_order_relaxed);
  b.query_free.store(in_.size() - in_end_, std::memory_order_relaxed);
  b.reply_size.store(heap_bytes(out_), std::memory_order_relaxed);
  b.reply_peak.store(out_peak_, std::memory_order_relaxed);
  b.reply_bytes.store(out_.size(), std::memory_order_relaxed);
  // writing_ is the remainder's own allocation only while a write runs
  // (on_write frees it); otherwise it is an empty string.
  const size_t writing = writing_now_ ? heap_bytes(writing_) : 0;
  b.writing.store(writing, std::memory_order_relaxed);
  b.total.store(sizeof(Connection) + heap_bytes(in_) + heap_bytes(out_) + writing + client_.queued_bytes,
                std::memory_order_relaxed);
  b.reading.store(reading_now_, std::memory_order_relaxed);
  b.writing_now.store(writing_now_, std::memory_order_relaxed);
}

void Connection::run_requests() {
  Reply reply(&out_);
  // A killed client (CLIENT KILL) runs nothing more; its next tick closes
  // it. Relaxed: the flag guards no data, and a kill that another thread
  // made is seen by this thread's next load (cache coherence).
  while (!waiter_ && pause_ticket_ == 0 && transfer_ == Transfer::kNone && !closing_ && !closed_ && in_start_ < in_end_ &&
         out_.size() < kMaxBatchReply && !client_.kill_requested.load(std::memory_order_relaxed)) {
    if (in_start_ >= prefetched_end_) prefetch_next_batch();
    parser_.set_limits(server_.limits().parser_limits(server_.authenticated(client_)));
    const ParseStatus st = parser_.parse(std::string_view(in_.data() + in_start_, in_end_ - in_start_));
    if (st == ParseStatus::kNeedMore) break;
    if (st == ParseStatus::kError) {
      if (!client_.reply_off) reply.error("ERR " + parser_.error());
      stats_.errors.count("ERR");
      closing_ = true;
      break;
    }
    if (st == ParseStatus::kCommand) {
      // Messages that arrived before this command go out before its reply.
      take_mailbox();
      reply.set_resp3(client_.resp == 3);
      const size_t reply_at = reply.mark();
      client_.reply_skip = client_.reply_skip_next;
      client_.reply_skip_next = false;
      dispatch_command(server_, client_, reply, parser_.args());
      if (client_.pause_hold != Client::PauseHold::kNone) {
        // Held, unconsumed and unanswered: it runs again later, with the
        // CLIENT REPLY SKIP it was meant to get.
        client_.reply_skip_next = client_.reply_skip;
        client_.reply_skip = false;
        if (hold_for_pause()) return;
        continue;  // the pause is over already
      }
      // CLIENT REPLY OFF/SKIP: the command ran (and its errors counted);
      // only what it said is dropped. CLIENT REPLY ON clears both flags
      // before it replies, so its +OK stays.
      if (client_.reply_off || client_.reply_skip) reply.truncate(reply_at);
      client_.reply_skip = false;
      if (client_.monitor_change) update_monitoring();
      if (client_.mailbox) client_.mailbox->set_resp3(client_.resp == 3);
      // A monitor's own commands appear in its stream right after their
      // replies, as in Redis (and lines from others are picked up too).
      take_mailbox();
      if (client_.close_after_reply) closing_ = true;
      if (client_.block_request) {
        in_start_ += parser_.consumed();
        enter_blocked(parser_.args());
        return;
      }
      if (client_.snapshot_send) {  // SYNC / PSYNC: process_input takes it from here
        in_start_ += parser_.consumed();
        transfer_request_ = std::move(*client_.snapshot_send);
        client_.snapshot_send.reset();
        transfer_ = Transfer::kRequested;
        return;
      }
    }
    in_start_ += parser_.consumed();
  }
}

void Connection::enter_blocked(std::span<const std::string_view> args) {
  Client::BlockRequest req = std::move(*client_.block_request);
  client_.block_request.reset();
  if (req.args.empty()) {
    blocked_args_.assign(args.begin(), args.end());
  } else {
    blocked_args_ = std::move(req.args);
  }
  blocked_on_timeout_ = req.on_timeout;
  auto w = std::make_shared<BlockedWaiter>();
  w->client_id = client_.id();
  w->db = client_.db;
  w->keys = std::move(req.keys);
  w->executor = socket_.get_executor();
  std::weak_ptr<Connection> weak = weak_from_this();
  w->retry = [weak] {
    if (auto c = weak.lock()) c->retry_blocked();
  };
  if (req.timeout_ms > 0) {
    block_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor(),
                                                        std::chrono::milliseconds(req.timeout_ms));
    block_timer_->async_wait([weak](const std::error_code& ec) {
      if (ec) return;  // cancelled: served or closed
      if (auto c = weak.lock()) c->on_block_timeout();
    });
  }
  waiter_ = w;
  client_.shown_blocked.store(true, std::memory_order_relaxed);
  server_.blocking().add(w);  // wakes it once: a push may have committed since the command looked
}

void Connection::retry_blocked() {
  if (!waiter_ || closed_) return;
  if (const int mode = waiter_->unblock.load(std::memory_order_acquire); mode != 0) {
    // Redis counts the call as failed either way.
    end_wait(mode == BlockedWaiter::kUnblockError ? "UNBLOCKED client unblocked via CLIENT UNBLOCK" : "", true);
    return;
  }
  // Before the transaction: a signal from here on posts another retry.
  waiter_->pending.store(false, std::memory_order_seq_cst);
  std::vector<std::string_view> args(blocked_args_.begin(), blocked_args_.end());
  Reply reply(&out_);
  reply.set_resp3(client_.resp == 3);
  const size_t reply_at = reply.mark();
  client_.block_retry = true;
  dispatch_command(server_, client_, reply, args);
  client_.block_retry = false;
  if (client_.pause_hold != Client::PauseHold::kNone) {  // a pause holds the retry (a pop is a write)
    hold_retry_for_pause();
    return;
  }
  if (client_.block_request) {  // still nothing for us
    client_.block_request.reset();
    server_.blocking().pass_on(waiter_);  // perhaps something for the next one (blocking.h)
    return;
  }
  if (client_.reply_off) reply.truncate(reply_at);
  leave_blocked();
  flush_ready_keys(server_, client_);  // what is left goes to the next waiter
  resume_after_blocked();
}

void Connection::on_block_timeout() {
  if (!waiter_ || closed_) return;
  end_wait("", false);
}

void Connection::end_wait(std::string_view error, bool failed) {
  count_blocked_command(server_, std::vector<std::string_view>(blocked_args_.begin(), blocked_args_.end()), error,
                        failed);
  leave_blocked();
  if (!client_.reply_off) {
    Reply reply(&out_);
    reply.set_resp3(client_.resp == 3);
    if (!error.empty()) {
      reply.error(error);
    } else if (blocked_on_timeout_ == Client::BlockRequest::OnTimeout::kZero) {
      reply.integer(0);  // WAIT: no replica acknowledged
    } else {
      reply.null_array();  // Redis's timeout reply, for every blocking pop
    }
  }
  resume_after_blocked();
}

void Connection::leave_blocked() {
  server_.blocking().remove(waiter_);
  if (retry_ticket_ != 0) {  // a retry held by a pause has nothing left to retry
    server_.client_pause().unpark(retry_ticket_);
    retry_ticket_ = 0;
  }
  waiter_.reset();
  blocked_args_.clear();
  if (block_timer_) {
    block_timer_->cancel();
    block_timer_.reset();
  }
  client_.shown_blocked.store(false, std::memory_order_relaxed);
}

bool Connection::hold_for_pause() {
  const bool write = client_.pause_hold == Client::PauseHold::kWrite;
  client_.pause_hold = Client::PauseHold::kNone;
  std::weak_ptr<Connection> weak = weak_from_this();
  pause_ticket_ = server_.client_pause().park(write, socket_.get_executor(), [weak] {
    if (auto c = weak.lock()) c->on_pause_end();
  });
  if (pause_ticket_ == 0) return false;
  client_.shown_blocked.store(true, std::memory_order_relaxed);  // Redis shows a paused client as blocked
  return true;
}

void Connection::on_pause_end() {
  if (pause_ticket_ == 0 || closed_) return;
  pause_ticket_ = 0;
  client_.shown_blocked.store(false, std::memory_order_relaxed);
  resume_after_blocked();  // runs the held request and those behind it
}

void Connection::hold_retry_for_pause() {
  const bool write = client_.pause_hold == Client::PauseHold::kWrite;
  client_.pause_hold = Client::PauseHold::kNone;
  client_.block_request.reset();
  if (retry_ticket_ != 0) return;  // already waiting for the end
  std::weak_ptr<Connection> weak = weak_from_this();
  auto retry = [weak] {
    if (auto c = weak.lock()) {
      c->retry_ticket_ = 0;
      c->retry_blocked();
    }
  };
  retry_ticket_ = server_.client_pause().park(write, socket_.get_executor(), retry);
  if (retry_ticket_ == 0) asio::post(socket_.get_executor(), std::move(retry));  // over already: retry now
}

void Connection::drop_pause_tickets() {
  if (pause_ticket_ != 0) server_.client_pause().unpark(pause_ticket_);
  if (retry_ticket_ != 0) server_.client_pause().unpark(retry_ticket_);
  pause_ticket_ = retry_ticket_ = 0;
}

void Connection::resume_after_blocked() {
  // A write in flight goes on to process_input when it completes (on_write);
  // no read is pending then either.
  if (closed_ || writing_now_) return;
  process_input();
}

void Connection::prefetch_next_batch() {
  const size_t batch = server_.limits().prefetch_batch_max_size.load(std::memory_order_relaxed);
  if (batch < 2) {  // off (0 or 1, as in Redis): nothing to do until new input arrives
    prefetched_end_ = in_end_;
    return;
  }
  if (!server_.authenticated(client_)) {  // its commands get NOAUTH; look again after the next one (AUTH?)
    prefetched_end_ = in_start_ + 1;
    return;
  }
  const std::string_view input(in_.data() + in_start_, in_end_ - in_start_);
  // Per worker thread, not per connection: 10,000 idle clients should not
  // each keep a kilobyte of scratch.
  thread_local std::vector<std::string_view> keys;
  keys.clear();
  const PipelineKeys scanned = collect_pipeline_keys(input, batch, store::Index::kMaxPrefetch, &keys);
  // Scans again at the first request this scan did not cover. One key alone
  // gains nothing from a prefetch (its lookup follows at once), so it takes
  // two: two pipelined requests, or one multi-key request (MSET, MGET, DEL
  // k1 k2, ...), whose keys are then fetched together too.
  prefetched_end_ = in_start_ + (scanned.bytes > 0 ? scanned.bytes : 1);
  if (keys.size() >= 2) server_.db(client_.db).prefetch(keys);
}

void Connection::process_input() {
  // A loop, not recursion: each turn runs the requests buffered so far (up
  // to the reply cap) and writes their replies.
  for (;;) {
    if (transfer_ == Transfer::kPreparing) return;  // nothing read or run until the snapshot is out
    if (transfer_ == Transfer::kSending) {
      if (!writing_now_ && !transfer_waiting_) send_snapshot_file();  // the bulk header went out
      return;
    }
    run_requests();
    if (out_.empty()) {
      if (closing_) {
        close();
      } else if (transfer_ == Transfer::kRequested) {
        if (begin_transfer()) return;
        continue;  // refused: the error is in out_, and the client carries on
      } else {
        do_read();
        show_buffers();
      }
      return;
    }
    if (!write_now()) {  // an async write carries on (on_write)
      show_buffers();
      return;
    }
    if (closing_) {
      close();
      return;
    }
  }
}

bool Connection::write_now() {
  if (closed_) return false;
  // Redis's way: write replies straight away with a non-blocking send, which
  // for replies that fit the socket buffer (nearly all) completes at once and
  // costs no trip through the event loop. Only a remainder waits for
  // writability, as an async write.
  out_peak_ = std::max(out_peak_, out_.size());
  std::error_code ec;
  size_t n = socket_.write_some(asio::buffer(out_), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec.clear();
    n = 0;
  }
  if (ec) {
    close();
    return false;
  }
  if (n > 0) {
    WorkerStats::bump(stats_.net_out, n);
    // Replies delivered count as activity, as in Redis: a client reading a
    // long reply is not idle.
    client_.last_active_ms.store(store::system_unix_ms(), std::memory_order_relaxed);
  }
  if (n == out_.size()) {
    // Release a huge batch's memory rather than keep it per connection.
    if (out_.capacity() > 4 * kMaxBatchReply) {
      std::string().swap(out_);
    } else {
      out_.clear();
    }
    return true;
  }
  writing_.assign(out_, n, std::string::npos);
  out_.clear();
  writing_now_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](const std::error_code& ec, size_t n) { self->on_write(ec, n); });
  return false;
}

void Connection::on_write(const std::error_code& ec, size_t n) {
  writing_now_ = false;
  WorkerStats::bump(stats_.net_out, n);
  client_.last_active_ms.store(store::system_unix_ms(), std::memory_order_relaxed);
  if (ec || closing_ || closed_) {
    close();
    return;
  }
  std::string().swap(writing_);  // only remainders of big batches come here
  // Requests may still wait in the buffer (the batch stopped at the reply cap).
  process_input();
  if (client_.mailbox) flush_mailbox();
}

void Connection::update_monitoring() {
  client_.monitor_change = false;
  client_.shown_monitor.store(client_.monitoring, std::memory_order_relaxed);  // CLIENT LIST's "O"
  if (client_.monitoring && !monitor_subscribed_) {
    if (!client_.mailbox) client_.mailbox = client_.open_mailbox();
    server_.monitors().subscribe(client_.mailbox);
    monitor_subscribed_ = true;
  } else if (!client_.monitoring && monitor_subscribed_) {
    server_.monitors().unsubscribe(client_.mailbox.get());
    monitor_subscribed_ = false;
    // RESET's own line, fed before the client left; Redis no longer
    // counts it as a monitor by then. (RESET also ended its
    // subscriptions, and messages from before it went out first.)
    client_.mailbox->take();
  }
}

void Connection::take_mailbox() {
  if (!client_.mailbox) return;
  std::string bytes = client_.mailbox->take();
  // Nothing more goes to a client that is closing (QUIT) or has replies
  // off, as in Redis.
  if (!bytes.empty() && !client_.close_after_reply && !client_.reply_off) out_.append(bytes);
}

void Connection::flush_mailbox() {
  // A transfer's bytes are the snapshot alone (begin_transfer ended the
  // subscriptions that could add to the mailbox).
  if (closed_ || !client_.mailbox || transfer_ != Transfer::kNone) return;
  if (client_.mailbox->overflowed()) {  // it stopped reading: over its output limit
    close();
    return;
  }
  // While a write is in flight the bytes wait in the mailbox (bounded
  // there); on_write calls back here.
  if (writing_now_ || closing_) return;
  take_mailbox();
  if (!out_.empty()) write_now();
}

void Connection::leave_feeds() {
  if (client_.mailbox) server_.monitors().unsubscribe(client_.mailbox.get());
  monitor_subscribed_ = false;
  unsubscribe_all_silently(server_, client_);
  client_tracking_off(server_, client_);
}

bool Connection::begin_transfer() {
  // What could write into the stream besides the snapshot ends here, as a
  // Redis replica leaves pub/sub, tracking and MONITOR behind.
  leave_feeds();
  // The producer holds the connection until the result is posted back:
  // nothing else does meanwhile (no read is pending; the worker's list is
  // of weak pointers).
  auto ready = [self = shared_from_this(), executor = socket_.get_executor()](PreparedSnapshot&& snapshot) {
    asio::post(executor, [self, snapshot = std::move(snapshot)]() mutable {
      self->on_snapshot_ready(std::move(snapshot));
    });
  };
  std::string error;
  const SnapshotContents contents{transfer_request_.keys, transfer_request_.functions};
  if (!server_.persistence().transfers().start(contents, std::move(ready), &transfer_slot_, &error)) {
    transfer_ = Transfer::kNone;
    Reply(&out_).error("ERR " + error);
    stats_.errors.count("ERR");
    return false;
  }
  transfer_ = Transfer::kPreparing;
  show_buffers();
  return true;
}

void Connection::on_snapshot_ready(PreparedSnapshot&& snapshot) {
  if (closed_ || transfer_ != Transfer::kPreparing) return;  // the client left meanwhile
  if (!snapshot.ok) {
    // Redis drops a replica whose snapshot failed; the client sees why.
    transfer_ = Transfer::kNone;
    Reply(&out_).error("ERR " + snapshot.error);
    stats_.errors.count("ERR");
    closing_ = true;
    if (write_now()) close();
    return;
  }
  transfer_file_ = std::move(snapshot.file);
  transfer_size_ = snapshot.size;
  transfer_sent_ = 0;
  transfer_ = Transfer::kSending;
  client_.last_active_ms.store(store::system_unix_ms(), std::memory_order_relaxed);  // repl-timeout counts from here
  out_ = transfer_request_.preamble + "$" + std::to_string(transfer_size_) + "\r\n";
  if (write_now()) send_snapshot_file();  // else on_write -> process_input carries on
}

void Connection::send_snapshot_file() {
  constexpr uint64_t kMaxSend = 1 << 20;  // per call; the socket's buffer takes less anyway
  while (!closed_ && transfer_sent_ < transfer_size_) {
    off_t offset = static_cast<off_t>(transfer_sent_);
    const ssize_t n = ::sendfile(socket_.native_handle(), transfer_file_.get(), &offset,
                                 std::min(transfer_size_ - transfer_sent_, kMaxSend));
    if (n > 0) {
      transfer_sent_ += static_cast<uint64_t>(n);
      WorkerStats::bump(stats_.net_out, static_cast<uint64_t>(n));
      client_.last_active_ms.store(store::system_unix_ms(), std::memory_order_relaxed);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      transfer_waiting_ = true;
      socket_.async_wait(asio::socket_base::wait_write, [self = shared_from_this()](const std::error_code& ec) {
        self->transfer_waiting_ = false;
        if (ec || self->closed_) {
          self->close();
          return;
        }
        self->send_snapshot_file();
      });
      return;
    }
    break;  // the peer left (or the file ended early): nothing more to do
  }
  if (!closed_ && transfer_sent_ == transfer_size_) {
    // Input the client sent meanwhile was never read; closing with it
    // unread would make the kernel reset the connection, which can throw
    // away the snapshot's tail still in flight. So it is read and dropped
    // first, and the close sends an orderly FIN after the data.
    char sink[4096];
    while (::recv(socket_.native_handle(), sink, sizeof sink, MSG_DONTWAIT) > 0) {
    }
  }
  close();  // sent (Redis closes an rdb-only client once its snapshot is out) or failed
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  if (waiter_) leave_blocked();
  drop_pause_tickets();
  // Nothing is published to a closed connection; the mailbox itself goes
  // with the last reference (a publisher may hold one for a moment).
  leave_feeds();
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  // Drop big buffers now; the object itself goes when the last handler returns.
  std::string().swap(in_);
  std::string().swap(out_);
  transfer_file_ = UniqueFd();  // a snapshot's file goes with its last reader
  transfer_slot_.release();
}

}  // namespace tmkv::server
