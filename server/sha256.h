// SHA-256 (FIPS 180-4), for ACL LIST and ACL GETUSER, which show a user's
// password as the SHA-256 of it in 64 lower-case hex digits ("#<hash>"),
// as Redis does, never the password itself.
#pragma once

#include <string>
#include <string_view>

namespace tmkv::server {

std::string sha256_hex(std::string_view data);

}  // namespace tmkv::server
