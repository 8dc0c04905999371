#include "loadgen/connection.h"

#include <cstring>
#include <sstream>

#include "loadgen/worker.h"

namespace tmkv::loadgen {

namespace {
constexpr size_t kReadChunk = 64 * 1024;  // receive buffer size; grows for larger batches
}

Connection::Connection(asio::io_context& io, Worker& worker, ThreadPart& part, int pipeline)
    : socket_(io), worker_(worker), slots_(static_cast<size_t>(pipeline)),
      ring_(static_cast<size_t>(pipeline) + 1), rbuf_(kReadChunk), due_timer_(io) {
  for (int i = pipeline - 1; i >= 0; --i) {
    slots_[static_cast<size_t>(i)].runner = part.make_runner();
    free_.push_back(i);
  }
}

void Connection::connect(const asio::ip::tcp::endpoint& ep, const std::string& user, const std::string& password) {
  socket_.async_connect(ep, [this, user, password, ep](const asio::error_code& ec) {
    if (ec) {
      std::ostringstream where;
      where << ep;
      return fail("cannot connect to " + where.str() + ": " + ec.message());
    }
    asio::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    socket_.non_blocking(true, ignored);  // flush() tries a direct send first
    start_read();
    if (password.empty()) return worker_.on_ready();
    RespEncoder enc(out_fill_);
    if (user.empty()) enc.command({"AUTH", password});
    else enc.command({"AUTH", user, password});
    ring_[0] = Batch{kSetupSlot, 1};
    ring_size_ = 1;
    flush();
  });
}

void Connection::begin(Clock::duration interval, Clock::time_point first_due) {
  interval_ = interval;
  next_due_ = first_due;
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  socket_.close(ignored);
  due_timer_.cancel();
  for (auto& s : slots_)
    if (s.pause) s.pause->cancel();
}

void Connection::fail(const std::string& what) {
  if (closed_) return;
  worker_.fatal(what);
}

void Connection::start_read() {
  if (rstart_ == rend_) {
    rstart_ = rend_ = 0;
  } else if (rbuf_.size() - rend_ < kReadChunk / 4) {
    if (rstart_ > 0) {  // slide the unconsumed tail to the front
      std::memmove(rbuf_.data(), rbuf_.data() + rstart_, rend_ - rstart_);
      rend_ -= rstart_;
      rstart_ = 0;
    }
    if (rbuf_.size() - rend_ < kReadChunk / 4) rbuf_.resize(rbuf_.size() * 2);  // a batch larger than the buffer
  }
  socket_.async_read_some(asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_),
                          [this](const asio::error_code& ec, size_t n) { on_read(ec, n); });
}

void Connection::on_read(const asio::error_code& ec, size_t n) {
  if (closed_) return;
  if (ec) return fail(ec == asio::error::eof ? "the server closed the connection" : "read: " + ec.message());
  rend_ += n;
  process_replies(Clock::now());
  if (closed_) return;
  flush();
  start_read();
}

void Connection::process_replies(Clock::time_point now) {
  while (ring_size_ > 0 && !closed_) {
    const Batch b = ring_[ring_head_];
    nodes_.clear();
    offsets_.clear();
    size_t pos = rstart_;
    for (uint32_t i = 0; i < b.commands; ++i) {
      offsets_.push_back(static_cast<uint32_t>(nodes_.size()));
      size_t used = 0;
      auto st = parser_.parse(rbuf_.data() + pos, rend_ - pos, nodes_, used);
      if (st == ReplyParser::Status::kIncomplete) return;  // the rest of the batch is still on its way
      if (st == ReplyParser::Status::kProtocolError) return fail("protocol error: " + parser_.error());
      pos += used;
    }
    rstart_ = pos;
    ring_head_ = (ring_head_ + 1) % ring_.size();
    --ring_size_;
    ReplyBatch replies(nodes_.data(), offsets_.data(), b.commands);
    if (b.slot == kSetupSlot) {
      if (replies[0].is_error()) return fail("AUTH failed: " + std::string(replies[0].str()));
      worker_.on_ready();
      continue;
    }
    RespEncoder enc(out_fill_);
    Outcome outcome;
    Step step = slots_[static_cast<size_t>(b.slot)].runner->on_replies(replies, enc, outcome);
    apply(b.slot, step, outcome, now);
  }
}

void Connection::apply(int slot, Step step, Outcome& outcome, Clock::time_point now) {
  Slot& s = slots_[static_cast<size_t>(slot)];
  if (step.commands > 0) {
    ring_[(ring_head_ + ring_size_) % ring_.size()] = Batch{slot, step.commands};
    ++ring_size_;
    return;
  }
  if (step.pause_us > 0) {
    if (!s.pause) s.pause = std::make_unique<asio::steady_timer>(socket_.get_executor());
    s.pause->expires_after(std::chrono::microseconds(step.pause_us));
    s.pause->async_wait([this, slot](const asio::error_code& ec) {
      if (ec || closed_) return;
      RespEncoder enc(out_fill_);
      Outcome outcome;
      Step next = slots_[static_cast<size_t>(slot)].runner->resume(enc, outcome);
      apply(slot, next, outcome, Clock::now());
      flush();
    });
    return;
  }
  // Finished.
  worker_.own_stats().record(outcome.op_type, outcome.error, outcome.retries,
                         outcome.error ? &outcome.error_message : nullptr, s.intended, now);
  free_.push_back(slot);
  --active_;
  if (worker_.stopping()) {
    if (active_ == 0) worker_.on_idle();
    return;
  }
  fill(now);
}

void Connection::start_op(int slot, Clock::time_point intended, Clock::time_point now) {
  Slot& s = slots_[static_cast<size_t>(slot)];
  s.intended = intended;
  ++active_;
  RespEncoder enc(out_fill_);
  Outcome outcome;
  Step step = s.runner->start(enc);
  apply(slot, step, outcome, now);
}

void Connection::fill(Clock::time_point now) {
  if (closed_) return;
  if (interval_ == Clock::duration::zero()) {  // closed loop
    while (!free_.empty() && worker_.may_start(now)) {
      const int slot = free_.back();
      free_.pop_back();
      start_op(slot, now, now);
    }
    if (worker_.stopping() && active_ == 0) worker_.on_idle();
    return;
  }
  // Open loop: every operation whose scheduled time has come, as far as
  // runners are free; the rest wait (and their latency keeps counting from
  // the schedule, which is what corrects coordinated omission).
  while (!free_.empty() && next_due_ <= now && !worker_.stopping()) {
    const int slot = free_.back();
    free_.pop_back();
    const auto due = next_due_;
    next_due_ += interval_;
    start_op(slot, due, now);
  }
  arm_due_timer();
}

void Connection::arm_due_timer() {
  if (due_armed_ || free_.empty() || worker_.stopping() || closed_) return;
  due_armed_ = true;
  due_timer_.expires_at(next_due_);
  due_timer_.async_wait([this](const asio::error_code& ec) {
    due_armed_ = false;
    if (ec || closed_) return;
    fill(Clock::now());
    flush();
  });
}

uint64_t Connection::unsent_by(Clock::time_point t) const {
  // A free runner means the schedule was only waiting for its timer: no backlog.
  if (interval_ == Clock::duration::zero() || next_due_ > t || !free_.empty()) return 0;
  return static_cast<uint64_t>((t - next_due_) / interval_) + 1;
}

void Connection::flush() {
  if (writing_ || out_fill_.empty() || closed_) return;
  std::swap(out_fill_, out_sending_);
  out_fill_.clear();
  // A direct non-blocking send first: at pipeline depth 1 it nearly always
  // takes everything, which saves the round through the event loop.
  asio::error_code ec;
  size_t n = socket_.write_some(asio::buffer(out_sending_), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec.clear();
    n = 0;
  }
  if (ec) return fail("write: " + ec.message());
  if (n == out_sending_.size()) {
    out_sending_.clear();
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(out_sending_.data() + n, out_sending_.size() - n),
                    [this](const asio::error_code& wec, size_t) {
                      writing_ = false;
                      out_sending_.clear();
                      if (closed_) return;
                      if (wec) return fail("write: " + wec.message());
                      flush();
                    });
}



}  // namespace tmkv::loadgen
