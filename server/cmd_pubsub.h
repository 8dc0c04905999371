// The pub/sub effects that outlive a command: what EXEC applies once its
// block commits, and what a closing connection or RESET drops.
#pragma once

namespace tmkv::server {

class Client;
class Server;

// After an EXEC block committed: applies its (un)subscriptions to the
// registry and publishes its messages, in the order the block ran them.
void apply_pending_pubsub(Server& server, Client& client);
// Drops every subscription without a reply (RESET, a closing connection).
void unsubscribe_all_silently(Server& server, Client& client);
// CLIENT LIST's sub= / psub= / ssub=, after a command changed them.
void mirror_pubsub_counts(Client& client);

}  // namespace tmkv::server
