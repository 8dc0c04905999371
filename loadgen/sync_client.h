// A plain request/reply RESP client for the phases around the run: the
// load phase, the bank's final verification. One thread, a deadline on
// every exchange (a server that stops answering is an error, not a hang).
#pragma once

#include <asio.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "loadgen/resp_reply.h"

namespace tmkv::loadgen {

class SyncClient {
 public:
  SyncClient(asio::ip::tcp::endpoint ep, std::chrono::milliseconds timeout);
  // Connects and, with a password, authenticates.
  bool connect(const std::string& user, const std::string& password, std::string& error);
  // Sends the encoded commands in `request` and waits for `n` replies.
  bool exchange(const std::string& request, size_t n, std::string& error);
  // The i-th reply of the last exchange; valid until the next one.
  Reply reply(size_t i) const { return Reply(nodes_.data() + offsets_[i]); }
  // False with error "<what> failed: <reply>" if any of the last exchange's
  // first n replies is an error.
  bool no_errors(size_t n, const std::string& what, std::string& error) const;

 private:
  bool run_until_done(bool& done, const char* what, std::string& error);
  void read_more(size_t n, bool& done, std::string& error);

  asio::io_context io_{1};
  asio::ip::tcp::endpoint ep_;
  asio::ip::tcp::socket socket_;
  std::chrono::milliseconds timeout_;
  std::vector<char> buf_;
  size_t have_ = 0;    // bytes received for this exchange
  size_t parsed_ = 0;  // bytes of the complete replies among them
  size_t replies_ = 0;
  ReplyParser parser_;
  std::vector<ReplyNode> nodes_;
  std::vector<uint32_t> offsets_;
};

}  // namespace tmkv::loadgen
