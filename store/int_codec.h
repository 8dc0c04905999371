// Redis's strict 64-bit integer syntax for INCR-style commands: optional
// '-', digits, no '+', no spaces, no leading zeros ("0" alone is fine, "-0"
// is not), within [INT64_MIN, INT64_MAX].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tmkv::store {

std::optional<int64_t> parse_int64(std::string_view s);

// Decimal text of v; writes at most 20 bytes into buf and returns the view.
std::string_view format_int64(int64_t v, char (&buf)[24]);

}  // namespace tmkv::store
