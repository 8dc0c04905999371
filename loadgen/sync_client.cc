#include "loadgen/sync_client.h"

#include <sstream>

#include "loadgen/resp_encode.h"

namespace tmkv::loadgen {

SyncClient::SyncClient(asio::ip::tcp::endpoint ep, std::chrono::milliseconds timeout)
    : ep_(ep), socket_(io_), timeout_(timeout), buf_(64 * 1024) {}

bool SyncClient::run_until_done(bool& done, const char* what, std::string& error) {
  io_.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (!done) {
    if (io_.run_one_until(deadline) == 0) {
      asio::error_code ignored;
      socket_.close(ignored);
      io_.restart();
      io_.run();  // let the cancelled handlers finish
      if (error.empty()) error = std::string(what) + ": no answer within " + std::to_string(timeout_.count()) + " ms";
      return false;
    }
  }
  return error.empty();
}

bool SyncClient::connect(const std::string& user, const std::string& password, std::string& error) {
  bool done = false;
  socket_.async_connect(ep_, [&](const asio::error_code& ec) {
    if (ec) {
      std::ostringstream where;
      where << ep_;
      error = "cannot connect to " + where.str() + ": " + ec.message();
    }
    done = true;
  });
  if (!run_until_done(done, "connect", error)) return false;
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (password.empty()) return true;
  std::string req;
  RespEncoder enc(req);
  if (user.empty()) enc.command({"AUTH", password});
  else enc.command({"AUTH", user, password});
  if (!exchange(req, 1, error)) return false;
  if (reply(0).is_error()) {
    error = "AUTH failed: " + std::string(reply(0).str());
    return false;
  }
  return true;
}

void SyncClient::read_more(size_t n, bool& done, std::string& error) {
  // Count the complete replies received so far; their nodes are rebuilt
  // at the end, when the buffer no longer moves.
  while (replies_ < n) {
    std::vector<ReplyNode> scratch;
    size_t used = 0;
    auto st = parser_.parse(buf_.data() + parsed_, have_ - parsed_, scratch, used);
    if (st == ReplyParser::Status::kProtocolError) {
      error = "protocol error: " + parser_.error();
      done = true;
      return;
    }
    if (st == ReplyParser::Status::kIncomplete) break;
    parsed_ += used;
    ++replies_;
  }
  if (replies_ == n) {
    done = true;
    return;
  }
  if (buf_.size() - have_ < 16 * 1024) buf_.resize(buf_.size() * 2);
  socket_.async_read_some(asio::buffer(buf_.data() + have_, buf_.size() - have_),
                          [this, n, &done, &error](const asio::error_code& ec, size_t got) {
                            if (ec) {
                              error = ec == asio::error::eof ? "the server closed the connection" : "read: " + ec.message();
                              done = true;
                              return;
                            }
                            have_ += got;
                            read_more(n, done, error);
                          });
}

bool SyncClient::exchange(const std::string& request, size_t n, std::string& error) {
  have_ = parsed_ = replies_ = 0;
  bool written = false, done = false;
  asio::async_write(socket_, asio::buffer(request), [&](const asio::error_code& ec, size_t) {
    if (ec && error.empty()) error = "write: " + ec.message();
    written = true;
  });
  read_more(n, done, error);
  if (!run_until_done(done, "reply", error)) return false;
  if (!run_until_done(written, "write", error)) return false;
  nodes_.clear();
  offsets_.clear();
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    offsets_.push_back(static_cast<uint32_t>(nodes_.size()));
    size_t used = 0;
    parser_.parse(buf_.data() + pos, have_ - pos, nodes_, used);
    pos += used;
  }
  return true;
}

bool SyncClient::no_errors(size_t n, const std::string& what, std::string& error) const {
  for (size_t i = 0; i < n; ++i) {
    if (reply(i).is_error()) {
      error = what + " failed: " + reply(i).describe();
      return false;
    }
  }
  return true;
}

}  // namespace tmkv::loadgen
