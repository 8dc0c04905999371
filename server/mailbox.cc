#include "server/mailbox.h"

#include <chrono>

namespace tmkv::server {
namespace {

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

bool Mailbox::push(std::string_view bytes, const OutputLimit& limit) {
  bool post = false;
  bool accepted = true;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (overflowed_) return false;
    const uint64_t size = buf_.size() + bytes.size();
    bool over = limit.hard != 0 && size > limit.hard;
    if (!over && limit.soft != 0 && size > limit.soft) {
      // Redis's soft limit: exceeded continuously for soft_seconds.
      const int64_t now = steady_ms();
      if (over_soft_since_ == 0) over_soft_since_ = now;
      over = now - over_soft_since_ >= static_cast<int64_t>(limit.soft_seconds) * 1000;
    }
    if (over) {
      // Wake the owner even if a wake-up is pending: that one may be
      // parked behind a write the client never drains.
      overflowed_ = true;
      std::string().swap(buf_);
      post = true;
      accepted = false;
    } else {
      buf_.append(bytes);
      post = !wake_posted_;
    }
    wake_posted_ = true;
  }
  if (post) asio::post(executor_, wake_);
  return accepted;
}

std::string Mailbox::take() {
  std::lock_guard<std::mutex> g(mu_);
  wake_posted_ = false;
  over_soft_since_ = 0;  // drained: the client is reading again
  std::string out;
  out.swap(buf_);
  return out;
}

bool Mailbox::overflowed() const {
  std::lock_guard<std::mutex> g(mu_);
  return overflowed_;
}

}  // namespace tmkv::server
