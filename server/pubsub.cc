#include "server/pubsub.h"

#include <algorithm>
#include <mutex>

#include "server/cmd_util.h"

namespace tmkv::server {
namespace {

void append_bulk(std::string& out, std::string_view s) {
  out.push_back('$');
  out += std::to_string(s.size());
  out += "\r\n";
  out.append(s);
  out += "\r\n";
}

// One message as Redis writes it: a RESP2 array or a RESP3 push of bulks,
// encoded lazily, once per protocol its receivers speak.
class Message {
 public:
  Message(std::string_view kind, std::string_view channel, std::string_view payload) : parts_{kind, channel, payload}, n_(3) {}
  Message(std::string_view kind, std::string_view pattern, std::string_view channel, std::string_view payload)
      : parts_{kind, pattern, channel, payload}, n_(4) {}

  std::string_view for_mailbox(const Mailbox& m) {
    const bool resp3 = m.resp3();
    std::optional<std::string>& slot = resp3 ? resp3_ : resp2_;
    if (!slot) {
      std::string out;
      out.push_back(resp3 ? '>' : '*');
      out += std::to_string(n_);
      out += "\r\n";
      for (size_t i = 0; i < n_; ++i) append_bulk(out, parts_[i]);
      slot = std::move(out);
    }
    return *slot;
  }

 private:
  std::array<std::string_view, 4> parts_;
  size_t n_;
  std::optional<std::string> resp2_, resp3_;
};

}  // namespace

bool PubSub::subscribe(PubSubKind kind, std::string_view name, const std::shared_ptr<Mailbox>& mailbox) {
  std::unique_lock<std::shared_mutex> g(mu_);
  Subscribers& subs = table(kind)[std::string(name)];
  for (const auto& m : subs) {
    if (m.get() == mailbox.get()) return false;
  }
  subs.push_back(mailbox);
  return true;
}

bool PubSub::unsubscribe(PubSubKind kind, std::string_view name, const Mailbox* mailbox) {
  std::unique_lock<std::shared_mutex> g(mu_);
  Table& t = table(kind);
  auto it = t.find(std::string(name));
  if (it == t.end()) return false;
  Subscribers& subs = it->second;
  auto pos = std::find_if(subs.begin(), subs.end(), [&](const auto& m) { return m.get() == mailbox; });
  if (pos == subs.end()) return false;
  subs.erase(pos);  // keeps the others in subscription order, as Redis's list does
  if (subs.empty()) t.erase(it);
  return true;
}

template <class Fn>
void PubSub::for_each_receiving(bool shard, std::string_view channel, Fn&& fn) const {
  const Table& direct = table(shard ? PubSubKind::kShard : PubSubKind::kChannel);
  if (auto it = direct.find(std::string(channel)); it != direct.end()) fn(nullptr, it->second);
  if (shard) return;  // shard channels have no patterns
  for (const auto& [pattern, subs] : table(PubSubKind::kPattern)) {
    if (glob_match(pattern, channel)) fn(&pattern, subs);
  }
}

size_t PubSub::publish(bool shard, std::string_view channel, std::string_view message, const OutputLimit& limit) {
  std::shared_lock<std::shared_mutex> g(mu_);
  size_t receivers = 0;
  for_each_receiving(shard, channel, [&](const std::string* pattern, const Subscribers& subs) {
    Message msg = pattern != nullptr ? Message("pmessage", *pattern, channel, message)
                                     : Message(shard ? "smessage" : "message", channel, message);
    for (const auto& m : subs) {
      m->push(msg.for_mailbox(*m), limit);
      ++receivers;
    }
  });
  return receivers;
}

size_t PubSub::receivers(bool shard, std::string_view channel, const Mailbox* except) const {
  std::shared_lock<std::shared_mutex> g(mu_);
  size_t n = 0;
  for_each_receiving(shard, channel, [&](const std::string*, const Subscribers& subs) {
    n += static_cast<size_t>(std::count_if(subs.begin(), subs.end(), [&](const auto& m) { return m.get() != except; }));
  });
  return n;
}

std::vector<std::string> PubSub::channels(bool shard, std::optional<std::string_view> pattern) const {
  std::shared_lock<std::shared_mutex> g(mu_);
  std::vector<std::string> out;
  for (const auto& [name, subs] : table(shard ? PubSubKind::kShard : PubSubKind::kChannel)) {
    if (!pattern || glob_match(*pattern, name)) out.push_back(name);
  }
  return out;
}

size_t PubSub::subscribers(bool shard, std::string_view channel) const {
  std::shared_lock<std::shared_mutex> g(mu_);
  const Table& t = table(shard ? PubSubKind::kShard : PubSubKind::kChannel);
  auto it = t.find(std::string(channel));
  return it == t.end() ? 0 : it->second.size();
}

size_t PubSub::count(PubSubKind kind) const {
  std::shared_lock<std::shared_mutex> g(mu_);
  return table(kind).size();
}

}  // namespace tmkv::server
