#include "server/pipeline_prefetch.h"

#include <cstdint>

#include "server/command.h"
#include "server/command_keys.h"

namespace tmkv::server {
namespace {

// Requests with more arguments than this are not scanned (nor is anything
// after them in the batch): their keys would not fit the prefetch anyway.
constexpr size_t kMaxScannedArgs = 256;

// Reads "<digits>\r\n" at input[*pos]; false if incomplete or malformed.
bool read_count(std::string_view input, size_t* pos, size_t* out) {
  size_t p = *pos;
  size_t n = 0;
  const size_t start = p;
  while (p < input.size() && input[p] >= '0' && input[p] <= '9') {
    n = n * 10 + static_cast<size_t>(input[p] - '0');
    if (n > (size_t{1} << 40)) return false;  // no real length; let the parser reject it
    ++p;
  }
  if (p == start || p + 1 >= input.size() || input[p] != '\r' || input[p + 1] != '\n') return false;
  *pos = p + 2;
  *out = n;
  return true;
}

// One complete multibulk request at input[*pos] into *args; false if the
// bytes there are not one (incomplete, inline, malformed, too many args).
bool read_request(std::string_view input, size_t* pos, std::vector<std::string_view>* args) {
  size_t p = *pos;
  size_t argc = 0;
  if (p >= input.size() || input[p] != '*') return false;
  ++p;
  if (!read_count(input, &p, &argc) || argc == 0 || argc > kMaxScannedArgs) return false;
  args->clear();
  for (size_t i = 0; i < argc; ++i) {
    size_t len = 0;
    if (p >= input.size() || input[p] != '$') return false;
    ++p;
    if (!read_count(input, &p, &len)) return false;
    if (input.size() - p < len + 2 || input[p + len] != '\r' || input[p + len + 1] != '\n') return false;
    args->push_back(input.substr(p, len));
    p += len + 2;
  }
  *pos = p;
  return true;
}

}  // namespace

PipelineKeys collect_pipeline_keys(std::string_view input, size_t max_commands, size_t max_keys,
                                   std::vector<std::string_view>* keys) {
  thread_local std::vector<std::string_view> args;  // reused: no allocation per batch
  PipelineKeys out;
  size_t pos = 0;
  while (out.commands < max_commands && keys->size() < max_keys && read_request(input, &pos, &args)) {
    ++out.commands;
    out.bytes = pos;
    const CommandSpec* spec = find_command(args[0]);
    if (spec == nullptr || (spec->flags & kTransactional) == 0) continue;
    for_each_fixed_key_position(*spec, args.size(), [&](size_t i) {
      keys->push_back(args[i]);
      return keys->size() < max_keys;
    });
  }
  return out;
}

}  // namespace tmkv::server
