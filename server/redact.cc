#include "server/redact.h"

#include "server/command.h"

namespace tmkv::server {

bool is_secret_argument(std::span<const std::string_view> args, size_t i) {
  if (args.empty() || i == 0) return false;
  if (equals_ci(args[0], "auth")) return true;
  // HELLO [protover [AUTH username password] ...]
  if (equals_ci(args[0], "hello")) {
    return i >= 3 && (equals_ci(args[i - 1], "auth") || equals_ci(args[i - 2], "auth"));
  }
  // ACL SETUSER <user> <rule> ...: the rules carry passwords ('>pw');
  // Redis hides every argument from the user name on. tmkv refuses the
  // command, but its arguments still pass through SLOWLOG.
  if (equals_ci(args[0], "acl") && args.size() >= 2 && equals_ci(args[1], "setuser")) return i >= 2;
  if (equals_ci(args[0], "config") && args.size() >= 2 && equals_ci(args[1], "set")) {
    return i >= 3 && i % 2 == 1 && equals_ci(args[i - 1], "requirepass");
  }
  return false;
}

}  // namespace tmkv::server
