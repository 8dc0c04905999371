// Which arguments of a command are passwords, so that SLOWLOG and MONITOR
// show "(redacted)" in their place, as Redis does: AUTH's arguments, the
// user and password after HELLO's AUTH, and CONFIG SET requirepass's value.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace tmkv::server {

bool is_secret_argument(std::span<const std::string_view> args, size_t i);

}  // namespace tmkv::server
