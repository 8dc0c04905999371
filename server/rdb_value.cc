#include "server/rdb_value.h"

#include <utility>
#include <vector>

#include "server/rdb_stream.h"

namespace tmkv::server {

std::optional<std::string> encode_value_rdb(const store::Blob& b, bool compress) {
  switch (b.type()) {
    case store::ValueType::kString:
      return encode_string_rdb(b.view(), compress);
    case store::ValueType::kHash:
      return encode_hash_rdb(store::Hash::from_body(b.view()).entries(), compress);
    case store::ValueType::kSet:
      return encode_set_rdb(store::Hash::from_body(b.view()).entries(), compress);
    case store::ValueType::kList: {
      const store::List l = store::List::from_body(b.view());
      std::vector<std::string_view> elements;
      elements.reserve(l.size());
      l.walk(0, l.size() - 1, [&](std::string_view v) {
        elements.push_back(v);
        return true;
      });
      return encode_list_rdb(elements, compress);
    }
    case store::ValueType::kZSet: {
      // In the encoding Redis would hold the set in (type 17 or 5): the
      // views stay valid while z holds the version.
      const store::ZSet z = store::ZSet::from_body(b.view());
      std::vector<store::ZEntry> entries;
      entries.reserve(z.size());
      z.walk(0, z.size() - 1, [&](const store::ZEntry& e) {
        entries.push_back(e);
        return true;
      });
      return encode_zset_rdb(entries, z.is_listpack(), compress);
    }
    case store::ValueType::kStream:
      // Redis 7.0's type 19: listpack nodes and group tables (rdb_stream.h).
      return encode_stream_rdb(store::Stream::from_body(b.view()), compress);
  }
  return std::nullopt;
}

StorableValue::StorableValue(DecodedPayload& p) : type_(p.type), bytes_(p.value) {
  if (store::is_trie(p.type)) {
    for (const auto& [field, value] : p.fields) {
      if (p.type == store::ValueType::kSet) {
        hash_.add_member(field);
      } else {
        hash_.set(field, value);
      }
    }
    owned_ = hash_.body_bytes();
    bytes_ = owned_;
  } else if (p.type == store::ValueType::kList) {
    std::vector<std::string_view> elements;
    elements.reserve(p.fields.size());
    for (const auto& e : p.fields) elements.push_back(e.first);
    list_ = store::List::build(elements);
    owned_ = list_.body_bytes();
    bytes_ = owned_;
  } else if (p.type == store::ValueType::kZSet) {
    std::vector<store::ZEntry> entries;
    entries.reserve(p.fields.size());
    for (size_t i = 0; i < p.fields.size(); ++i) entries.push_back({p.fields[i].first, p.scores[i]});
    zset_ = store::ZSet::build(entries);
    // Redis keeps a loaded listpack one unless it has too many entries,
    // however long its members (rdbLoadObject); other types are judged whole.
    if (p.from_listpack) zset_.judge_encoding_by_entries();
    owned_ = zset_.body_bytes();
    bytes_ = owned_;
  } else if (p.type == store::ValueType::kStream && p.stream) {
    stream_ = *p.stream;  // shares the version: p stays usable
    owned_ = stream_->body_bytes();
    bytes_ = owned_;
  }
}

}  // namespace tmkv::server
