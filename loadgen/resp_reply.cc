#include "loadgen/resp_reply.h"

#include <charconv>
#include <cstring>

namespace tmkv::loadgen {

namespace {
constexpr int kMaxDepth = 32;  // EXEC of MGET is depth 2; deeper is hostile

// Finds the "\r\n" ending a line starting at pos; returns its offset or npos.
size_t line_end(const char* data, size_t len, size_t pos) {
  const void* cr = std::memchr(data + pos, '\r', len - pos);
  if (!cr) return std::string_view::npos;
  const auto at = static_cast<size_t>(static_cast<const char*>(cr) - data);
  if (at + 1 >= len) return std::string_view::npos;  // "\n" not here yet
  return at;
}

bool parse_int(const char* b, const char* e, int64_t& out) {
  auto r = std::from_chars(b, e, out);
  return r.ec == std::errc() && r.ptr == e && b != e;
}
}  // namespace

Reply Reply::operator[](size_t i) const {
  const ReplyNode* n = node_ + 1;
  for (size_t k = 0; k < i; ++k) n += n->span;
  return Reply(n);
}

bool Reply::contains_error() const {
  for (uint32_t k = 0; k < node_->span; ++k)
    if (node_[k].type == ReplyType::kError) return true;
  return false;
}

bool Reply::as_int(int64_t& out) const {
  if (node_->type == ReplyType::kInteger) {
    out = node_->integer;
    return true;
  }
  if (node_->type != ReplyType::kBulk && node_->type != ReplyType::kStatus) return false;
  return parse_int(node_->str.data(), node_->str.data() + node_->str.size(), out);
}

std::string Reply::describe() const {
  switch (node_->type) {
    case ReplyType::kStatus: return "+" + std::string(node_->str);
    case ReplyType::kError: return "-" + std::string(node_->str);
    case ReplyType::kInteger: return ":" + std::to_string(node_->integer);
    case ReplyType::kBulk: return "\"" + std::string(node_->str.substr(0, 64)) + "\"";
    case ReplyType::kNullBulk: return "(nil)";
    case ReplyType::kNullArray: return "(nil array)";
    case ReplyType::kArray: {
      std::string s = "[";
      for (size_t i = 0; i < size() && i < 8; ++i) s += (i ? ", " : "") + (*this)[i].describe();
      if (size() > 8) s += ", ...";
      return s + "]";
    }
  }
  return "?";
}

ReplyParser::Status ReplyParser::parse(const char* data, size_t len, std::vector<ReplyNode>& nodes,
                                       size_t& consumed) {
  const size_t mark = nodes.size();
  size_t pos = 0;
  Status s = parse_at(data, len, pos, nodes, 0);
  if (s == Status::kOk) consumed = pos;
  else nodes.resize(mark);
  return s;
}

ReplyParser::Status ReplyParser::parse_at(const char* data, size_t len, size_t& pos,
                                          std::vector<ReplyNode>& nodes, int depth) {
  if (pos >= len) return Status::kIncomplete;
  const size_t eol = line_end(data, len, pos);
  if (eol == std::string_view::npos) return Status::kIncomplete;
  if (data[eol + 1] != '\n') {
    error_ = "reply line not ended by CRLF";
    return Status::kProtocolError;
  }
  const char type = data[pos];
  const char* b = data + pos + 1;
  const char* e = data + eol;
  const size_t next = eol + 2;
  ReplyNode node{};
  switch (type) {
    case '+':
    case '-':
      node.type = type == '+' ? ReplyType::kStatus : ReplyType::kError;
      node.str = std::string_view(b, static_cast<size_t>(e - b));
      nodes.push_back(node);
      pos = next;
      return Status::kOk;
    case ':':
      node.type = ReplyType::kInteger;
      if (!parse_int(b, e, node.integer)) break;
      nodes.push_back(node);
      pos = next;
      return Status::kOk;
    case '$': {
      int64_t n;
      if (!parse_int(b, e, n) || n < -1) break;
      if (n == -1) {
        node.type = ReplyType::kNullBulk;
        nodes.push_back(node);
        pos = next;
        return Status::kOk;
      }
      const auto un = static_cast<size_t>(n);
      if (len - next < un + 2) return Status::kIncomplete;
      if (data[next + un] != '\r' || data[next + un + 1] != '\n') {
        error_ = "bulk string not ended by CRLF";
        return Status::kProtocolError;
      }
      node.type = ReplyType::kBulk;
      node.str = std::string_view(data + next, un);
      nodes.push_back(node);
      pos = next + un + 2;
      return Status::kOk;
    }
    case '*': {
      int64_t n;
      if (!parse_int(b, e, n) || n < -1) break;
      if (n == -1) {
        node.type = ReplyType::kNullArray;
        nodes.push_back(node);
        pos = next;
        return Status::kOk;
      }
      if (depth >= kMaxDepth) {
        error_ = "replies nested too deeply";
        return Status::kProtocolError;
      }
      const size_t at = nodes.size();
      node.type = ReplyType::kArray;
      node.integer = n;
      nodes.push_back(node);
      pos = next;
      for (int64_t i = 0; i < n; ++i) {
        Status s = parse_at(data, len, pos, nodes, depth + 1);
        if (s != Status::kOk) return s;
      }
      nodes[at].span = static_cast<uint32_t>(nodes.size() - at);
      return Status::kOk;
    }
    default:
      error_ = std::string("unexpected reply type byte '") + type + "'";
      return Status::kProtocolError;
  }
  error_ = std::string("malformed length or integer in reply '") + std::string(data + pos, e) + "'";
  return Status::kProtocolError;
}

}  // namespace tmkv::loadgen
