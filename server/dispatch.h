// Dispatch: runs one parsed request for a client, appending its reply.
//
// Order of checks follows Redis (processCommand): unknown command, arity,
// authentication, then MULTI queuing; then the command runs. Commands that
// touch keys run inside one transaction (htm::atomically: hardware where the
// mode allows it, else TL2); the reply is truncated back at every retry, so
// only the committed attempt's reply is sent.
#pragma once

#include <span>
#include <string_view>

namespace tmkv::server {

class Server;
class Client;
class Reply;
struct CommandSpec;

void dispatch_command(Server& server, Client& client, Reply& out, std::span<const std::string_view> args);

// Runs EXEC for the client (its queued commands and watches) in one
// transaction; the handler of the EXEC command calls it.
void run_exec(Server& server, Client& client, Reply& out);

// Wakes the clients blocked on the keys the client's committed transaction
// made non-empty lists (Client::ready_keys; blocking.h), and clears them.
void flush_ready_keys(Server& server, Client& client);

// Counts a blocked command that ends without being served (a timeout, or
// CLIENT UNBLOCK) as the one call it is, as Redis does: `failed` for
// CLIENT UNBLOCK's, `error` (if not empty) the error reply it ends with.
void count_blocked_command(Server& server, std::span<const std::string_view> args, std::string_view error,
                           bool failed);

// Drops the client's watches (UNWATCH, EXEC, DISCARD, RESET, disconnect).
void unwatch_all(Server& server, Client& client);

}  // namespace tmkv::server
