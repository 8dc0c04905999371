// The client side of RESP2 (and the RESP3 types a RESP2 server never sends
// are rejected): cuts complete replies out of a receive buffer.
//
// A reply is stored flat, in pre-order, in a reusable vector of nodes whose
// strings point into the receive buffer (no copies, no allocation once the
// vector has grown). An array node is followed by its elements; `span` is
// the number of nodes its subtree occupies, so siblings can be skipped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tmkv::loadgen {

enum class ReplyType : uint8_t { kStatus, kError, kInteger, kBulk, kNullBulk, kArray, kNullArray };

struct ReplyNode {
  ReplyType type;
  uint32_t span = 1;       // nodes in this subtree, itself included
  int64_t integer = 0;     // kInteger; element count for kArray
  std::string_view str;    // kStatus, kError, kBulk
};

// One reply: a view of the nodes [first, first + span) of a ReplyList.
class Reply {
 public:
  Reply(const ReplyNode* node) : node_(node) {}
  ReplyType type() const { return node_->type; }
  bool is_error() const { return node_->type == ReplyType::kError; }
  bool is_null() const { return node_->type == ReplyType::kNullBulk || node_->type == ReplyType::kNullArray; }
  bool is_array() const { return node_->type == ReplyType::kArray; }
  std::string_view str() const { return node_->str; }
  int64_t integer() const { return node_->integer; }
  size_t size() const { return is_array() ? static_cast<size_t>(node_->integer) : 0; }
  // Walking an array in order: its first element, then each next sibling.
  Reply first() const { return Reply(node_ + 1); }
  Reply next() const { return Reply(node_ + node_->span); }
  // The i-th element of an array (walks siblings: O(i)).
  Reply operator[](size_t i) const;
  // True if this reply or anything inside it is an error.
  bool contains_error() const;
  // A bulk or status string holding a decimal integer, or an integer reply.
  bool as_int(int64_t& out) const;
  // For messages: the reply in a short human form.
  std::string describe() const;

 private:
  const ReplyNode* node_;
};

class ReplyParser {
 public:
  enum class Status { kOk, kIncomplete, kProtocolError };

  // Parses one complete reply at data[0..len) and appends its nodes to
  // `nodes`. On kOk, `consumed` is its length in bytes. On kIncomplete the
  // nodes appended so far are removed again. On kProtocolError, `error` says
  // what was wrong.
  Status parse(const char* data, size_t len, std::vector<ReplyNode>& nodes, size_t& consumed);
  const std::string& error() const { return error_; }

 private:
  Status parse_at(const char* data, size_t len, size_t& pos, std::vector<ReplyNode>& nodes, int depth);
  std::string error_;
};

}  // namespace tmkv::loadgen
