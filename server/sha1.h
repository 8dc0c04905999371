// SHA-1 (FIPS 180-4), for script names: EVALSHA, SCRIPT LOAD/EXISTS and
// redis.sha1hex() name a script by the SHA-1 of its body in 40 lower-case
// hex digits, as Redis does. Not used for anything that needs security.
#pragma once

#include <string>
#include <string_view>

namespace tmkv::server {

std::string sha1_hex(std::string_view data);

}  // namespace tmkv::server
