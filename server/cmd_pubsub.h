// The pub/sub effects that outlive a command: what EXEC applies once its
// block commits, and what a closing connection or RESET drops.
#pragma once

namespace tmkv::server {

class Client;
class Server;

// After a command's transaction committed (dispatch_command): applies the
// pub/sub effects it held back (an EXEC block's (un)subscriptions and
// messages, keyspace events), in the order they were made.
void apply_pending_pubsub(Server& server, Client& client);
// Drops every subscription without a reply (RESET, a closing connection).
void unsubscribe_all_silently(Server& server, Client& client);
// CLIENT LIST's sub= / psub= / ssub=, after a command changed them.
void mirror_pubsub_counts(Client& client);

}  // namespace tmkv::server
