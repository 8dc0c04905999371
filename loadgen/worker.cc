#include "loadgen/worker.h"

#include <cmath>

namespace tmkv::loadgen {

namespace {
constexpr auto kTick = std::chrono::milliseconds(100);   // seals seconds, polls the stop flag
constexpr auto kSetupTimeout = std::chrono::seconds(10);  // connect + AUTH
constexpr auto kDrainTimeout = std::chrono::seconds(10);  // for operations under way at the end
constexpr size_t kMaxSecondsWithoutDuration = 24 * 3600;  // per-second series of a --requests run

Clock::duration to_duration(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}
}  // namespace

Worker::Worker(const Options& opts, int index, Workload& workload, RunShared& shared, asio::ip::tcp::endpoint ep)
    : opts_(opts), index_(index), shared_(shared), ep_(ep),
      part_(workload.make_thread_part(opts.seed * 1000003 + static_cast<uint64_t>(index))),
      op_types_(workload.op_names().size()), tick_timer_(io_), end_timer_(io_) {
  if (opts.requests > 0) {
    const auto t = static_cast<uint64_t>(opts.threads);
    quota_ = opts.requests / t + (static_cast<uint64_t>(index) < opts.requests % t ? 1 : 0);
  }
}

void Worker::run() {
  setup();
  shared_.connected.count_down();
  shared_.go.wait();
  if (!setup_failed_ && !shared_.stop.load(std::memory_order_relaxed)) {
    const Clock::time_point t0 = shared_.t0;
    measure_from_ = t0 + to_duration(opts_.warmup_s);
    stats_->start(t0, measure_from_);
    running_ = true;
    io_.restart();
    // Open loop: each connection gets an equal share of the rate, its
    // schedule offset so that the connections' sends interleave evenly.
    const double total_conns = static_cast<double>(opts_.threads) * opts_.connections;
    const Clock::duration interval = opts_.rate > 0 ? to_duration(total_conns / opts_.rate) : Clock::duration::zero();
    for (size_t i = 0; i < conns_.size(); ++i) {
      const double global = static_cast<double>(index_ * opts_.connections) + static_cast<double>(i);
      conns_[i]->begin(interval, opts_.rate > 0 ? t0 + to_duration(global / opts_.rate) : t0);
    }
    if (opts_.requests == 0) {
      end_timer_.expires_at(measure_from_ + to_duration(opts_.duration_s));
      end_timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) begin_stop();
      });
    }
    tick_timer_.expires_after(kTick);
    tick_timer_.async_wait([this](const asio::error_code& ec) {
      if (!ec) tick();
    });
    const auto now = Clock::now();
    for (auto& c : conns_) {
      if (shut_) break;
      c->kick(now);
    }
    io_.run();
  }
  conns_.clear();
  shared_.finished.fetch_add(1, std::memory_order_release);
}

void Worker::setup() {
  const size_t max_seconds = opts_.requests > 0
                                 ? kMaxSecondsWithoutDuration
                                 : static_cast<size_t>(std::ceil(opts_.warmup_s + opts_.duration_s)) + 60;
  stats_ = std::make_unique<ThreadStats>(op_types_, max_seconds);
  for (int i = 0; i < opts_.connections; ++i)
    conns_.push_back(std::make_unique<Connection>(io_, *this, *part_, opts_.pipeline));
  for (auto& c : conns_) c->connect(ep_, opts_.user, opts_.password);
  const auto deadline = Clock::now() + kSetupTimeout;
  while (ready_ < opts_.connections && !setup_failed_) {
    if (io_.run_one_until(deadline) == 0) {
      fatal("connecting " + std::to_string(opts_.connections) + " connections (with AUTH) took longer than 10 s");
      break;
    }
  }
}

void Worker::on_ready() { ++ready_; }

void Worker::fatal(const std::string& what) {
  if (error_.empty()) error_ = what;
  setup_failed_ = true;
  // Tell the other workers (and the main thread) to stop; see RunShared.
  shared_.stop.store(true, std::memory_order_relaxed);
  if (running_) shutdown();
  else for (auto& c : conns_) c->close();
}

bool Worker::may_start(Clock::time_point now) {
  if (stopping_) return false;
  if (opts_.requests == 0 || now < measure_from_) return true;
  if (quota_ == 0) {
    begin_stop();
    return false;
  }
  --quota_;
  return true;
}

void Worker::tick() {
  const auto now = Clock::now();
  stats_->seal_until(now);
  if (shared_.stop.load(std::memory_order_relaxed)) begin_stop();
  if (stopping_ && !shut_ && now - stop_at_ > kDrainTimeout) {
    for (auto& c : conns_) abandoned_ += static_cast<uint64_t>(c->active());
    shutdown();
  }
  if (shut_) return;
  tick_timer_.expires_after(kTick);
  tick_timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) tick();
  });
}

void Worker::begin_stop() {
  if (stopping_) return;
  stopping_ = true;
  stop_at_ = Clock::now();
  for (auto& c : conns_) missed_ += c->unsent_by(stop_at_);
  on_idle();
}

void Worker::on_idle() {
  if (!stopping_ || shut_) return;
  for (auto& c : conns_)
    if (!c->idle()) return;
  shutdown();
}

void Worker::shutdown() {
  if (shut_) return;
  shut_ = true;
  for (auto& c : conns_) c->close();
  tick_timer_.cancel();
  end_timer_.cancel();
}

}  // namespace tmkv::loadgen
