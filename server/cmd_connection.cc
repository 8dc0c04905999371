// Connection commands: PING, ECHO, HELLO, AUTH, QUIT, RESET, SELECT, CLIENT.
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "server/client.h"
#include "server/cmd_pubsub.h"
#include "server/cmd_util.h"
#include "server/command.h"
#include "server/dispatch.h"
#include "server/server.h"
#include "server/tracking.h"
#include "store/clock.h"

namespace tmkv::server {
namespace {

void cmd_ping(CommandContext& c) {
  if (c.argc() > 2) {
    c.out.wrong_arity("ping");
  } else if (c.client.resp == 2 && c.client.pubsub.total() != 0) {
    // Subscribed (RESP2): the answer looks like a message, as in Redis.
    c.out.array(2);
    c.out.bulk("pong");
    c.out.bulk(c.argc() == 2 ? c.arg(1) : std::string_view());
  } else if (c.argc() == 2) {
    c.out.bulk(c.arg(1));
  } else {
    c.out.simple("PONG");
  }
}

void cmd_echo(CommandContext& c) { c.out.bulk(c.arg(1)); }

std::string client_line(const Client& cl, size_t argv_bytes);
size_t argv_bytes(const CommandContext& c);

// AUTH [username] password. Only the "default" user exists.
bool authenticate(CommandContext& c, std::string_view user, std::string_view pass) {
  if (!c.server.limits().requirepass_set.load(std::memory_order_relaxed) && user == "default") {
    c.client.authenticated = true;
    return true;
  }
  if (!equals_ci(user, "default") || !c.server.check_password(pass)) {
    c.out.error("WRONGPASS invalid username-password pair or user is disabled.");
    // ACL LOG's record of the failure (acl_log.h), as Redis keeps it.
    AclLogEntry e;
    e.reason = "auth";
    e.context = c.in_exec ? "multi" : "toplevel";
    e.object = std::string(c.arg(0));  // as sent, as Redis logs it
    e.username = std::string(user);
    e.updated_ms = store::system_unix_ms();
    e.client_info = client_line(c.client, argv_bytes(c));
    if (!e.client_info.empty() && e.client_info.back() == '\n') e.client_info.pop_back();  // as CLIENT INFO's line
    c.server.acl_log().add(std::move(e), c.server.limits().acllog_max_len.load(std::memory_order_relaxed));
    return false;
  }
  c.client.authenticated = true;
  return true;
}

void cmd_auth(CommandContext& c) {
  if (c.argc() > 3) {
    c.out.syntax_error();
    return;
  }
  if (c.argc() == 2 && !c.server.limits().requirepass_set.load(std::memory_order_relaxed)) {
    c.out.error(
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your "
        "configuration is correct?");
    return;
  }
  std::string_view user = c.argc() == 3 ? c.arg(1) : std::string_view("default");
  if (authenticate(c, user, c.arg(c.argc() - 1))) c.out.ok();
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void cmd_hello(CommandContext& c) {
  int resp = c.client.resp;
  size_t i = 1;
  if (c.argc() >= 2) {
    int64_t v;
    auto p = parse_ll(c.arg(1));
    if (!p) {
      c.out.error("ERR Protocol version is not an integer or out of range");
      return;
    }
    v = *p;
    if (v < 2 || v > 3) {
      c.out.error("NOPROTO unsupported protocol version");
      return;
    }
    resp = static_cast<int>(v);
    i = 2;
  }
  std::string_view user, pass, name;
  bool has_auth = false, has_name = false;
  for (; i < c.argc(); ++i) {
    const bool more = c.argc() - i - 1;
    if (equals_ci(c.arg(i), "auth") && c.argc() - i - 1 >= 2) {
      user = c.arg(i + 1);
      pass = c.arg(i + 2);
      has_auth = true;
      i += 2;
    } else if (equals_ci(c.arg(i), "setname") && more) {
      name = c.arg(++i);
      has_name = true;
    } else {
      c.out.error("ERR Syntax error in HELLO option '" + std::string(c.arg(i)) + "'");
      return;
    }
  }
  if (has_auth && !authenticate(c, user, pass)) return;
  if (!c.server.authenticated(c.client)) {
    c.out.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> "
                "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol "
                "version at the same time");
    return;
  }
  if (has_name) {
    for (char ch : name) {
      if (ch < '!' || ch > '~') {
        c.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
    }
    c.client.set_name(std::string(name));
  }
  c.client.resp = resp;
  c.out.set_resp3(resp == 3);
  c.out.map(7);
  c.out.bulk("server");
  c.out.bulk("redis");
  c.out.bulk("version");
  c.out.bulk("7.0.0");
  c.out.bulk("proto");
  c.out.integer(resp);
  c.out.bulk("id");
  c.out.integer(static_cast<int64_t>(c.client.id()));
  c.out.bulk("mode");
  c.out.bulk("standalone");
  c.out.bulk("role");
  c.out.bulk("master");
  c.out.bulk("modules");
  c.out.array(0);
}

void cmd_quit(CommandContext& c) {
  c.client.close_after_reply = true;
  c.out.ok();
}

void cmd_reset(CommandContext& c) {
  c.client.end_multi();
  unwatch_all(c.server, c.client);
  c.client.db = 0;
  c.client.resp = 2;
  c.out.set_resp3(false);
  c.client.set_name("");
  if (c.client.monitoring) {
    c.client.monitoring = false;  // the connection unsubscribes after this command
    c.client.monitor_change = true;
  }
  unsubscribe_all_silently(c.server, c.client);
  client_tracking_off(c.server, c.client);
  c.client.reply_off = false;  // Redis clears OFF and SKIP's pending skip, not a skip already applied
  c.client.reply_skip_next = false;
  c.client.no_touch = false;
  // As a new connection (Redis's clearClientConnectionState).
  c.client.authenticated = !c.server.limits().requirepass_set.load(std::memory_order_relaxed);
  c.out.simple("RESET");
}

void cmd_select(CommandContext& c) {
  unsigned db;
  if (!get_db_index_or_reply(c, c.arg(1), &db)) return;
  c.client.db = db;
  c.out.ok();
}

// One CLIENT LIST / CLIENT INFO line in Redis 7's key=value format and
// field order. The buffer fields map onto a connection's two buffers
// (server/connection.h): qbuf/qbuf-free the input buffer, rbs/rbp/obl the
// reply buffer, oll/omem the remainder of a reply still being written (one
// "node" while an asynchronous write runs). They are as the client's own
// thread last mirrored them (client.h, ShownBuffers). argv-mem is the
// running command's arguments: other clients are between commands as far
// as this line is concerned (their arguments live only while a command
// runs), so theirs is 0, as in Redis. redir is the CLIENT TRACKING
// redirect (0 for none), -1 while not tracking.
std::string client_line(const Client& cl, size_t argv_bytes) {
  const int64_t now = store::system_unix_ms();
  const size_t sub = cl.shown_pubsub[0].load(std::memory_order_relaxed);
  const size_t psub = cl.shown_pubsub[1].load(std::memory_order_relaxed);
  const size_t ssub = cl.shown_pubsub[2].load(std::memory_order_relaxed);
  // Redis's flag letters, in its order: O monitor, P pub/sub, x MULTI, b
  // blocked, t tracking, R its redirect broken, B tracking BCAST; N none.
  std::string flags;
  if (cl.shown_monitor.load(std::memory_order_relaxed)) flags += 'O';
  if (sub + psub + ssub != 0) flags += 'P';
  const int64_t multi = cl.shown_multi.load(std::memory_order_relaxed);
  if (multi >= 0) flags += 'x';
  if (cl.shown_blocked.load(std::memory_order_relaxed)) flags += 'b';
  if (cl.shown_tracking.load(std::memory_order_relaxed)) flags += 't';
  if (cl.tracking_broken_redir.load(std::memory_order_relaxed)) flags += 'R';
  if (cl.shown_tracking_bcast.load(std::memory_order_relaxed)) flags += 'B';
  if (flags.empty()) flags = "N";
  const ShownBuffers& b = cl.shown_buffers;
  const size_t writing = b.writing.load(std::memory_order_relaxed);
  const size_t multi_bytes = cl.shown_multi_bytes.load(std::memory_order_relaxed);
  std::string events;
  if (b.reading.load(std::memory_order_relaxed)) events += 'r';
  if (b.writing_now.load(std::memory_order_relaxed)) events += 'w';
  std::ostringstream o;
  o << "id=" << cl.id() << " addr=" << cl.addr() << " laddr=" << cl.laddr() << " fd=" << cl.fd()
    << " name=" << cl.name() << " age=" << (now - cl.created_ms()) / 1000
    << " idle=" << (now - cl.last_active_ms.load(std::memory_order_relaxed)) / 1000 << " flags=" << flags
    << " db=" << cl.shown_db.load(std::memory_order_relaxed) << " sub=" << sub << " psub=" << psub << " ssub=" << ssub
    << " multi=" << multi << " qbuf=" << b.query.load(std::memory_order_relaxed)
    << " qbuf-free=" << b.query_free.load(std::memory_order_relaxed) << " argv-mem=" << argv_bytes
    << " multi-mem=" << multi_bytes << " rbs=" << b.reply_size.load(std::memory_order_relaxed)
    << " rbp=" << b.reply_peak.load(std::memory_order_relaxed) << " obl=" << b.reply_bytes.load(std::memory_order_relaxed)
    << " oll=" << (writing != 0 ? 1 : 0) << " omem=" << writing
    << " tot-mem=" << b.total.load(std::memory_order_relaxed) + argv_bytes << " events=" << events
    << " cmd=" << cl.last_command.load(std::memory_order_relaxed) << " user=default redir=" << cl.shown_redir.load(std::memory_order_relaxed)
    << " resp=" << cl.shown_resp.load(std::memory_order_relaxed) << " lib-name=" << cl.lib_name()
    << " lib-ver=" << cl.lib_ver() << "\n";
  return o.str();
}

size_t argv_bytes(const CommandContext& c) {
  size_t n = 0;
  for (std::string_view a : c.args) n += a.size();
  return n;
}

// Redis's client types (CLIENT LIST TYPE, CLIENT KILL TYPE). tmkv has no
// replication, so no client is a master or a replica; a client with any
// subscription is "pubsub" (Redis's CLIENT_PUBSUB, flag P), every other one,
// a MONITOR included, "normal".
enum class ClientType { kNormal, kReplica, kPubSub, kMaster };

std::optional<ClientType> client_type_by_name(std::string_view name) {
  if (equals_ci(name, "normal")) return ClientType::kNormal;
  if (equals_ci(name, "replica") || equals_ci(name, "slave")) return ClientType::kReplica;
  if (equals_ci(name, "pubsub")) return ClientType::kPubSub;
  if (equals_ci(name, "master")) return ClientType::kMaster;
  return std::nullopt;
}

// Reads the counts CLIENT LIST shows (atomics any thread may read).
ClientType client_type_of(const Client& cl) {
  for (const auto& n : cl.shown_pubsub) {
    if (n.load(std::memory_order_relaxed) != 0) return ClientType::kPubSub;
  }
  return ClientType::kNormal;
}

// CLIENT LIST [TYPE type | ID id [id ...]], as Redis 7.0 parses it: TYPE
// takes exactly one type; ID lists the clients found, in the order asked
// (an id twice is listed twice), and refuses a non-integer id.
void client_list(CommandContext& c) {
  const auto own_line = [&](const Client& cl) { return client_line(cl, &cl == &c.client ? argv_bytes(c) : 0); };
  std::string out;
  if (c.argc() == 4 && equals_ci(c.arg(2), "type")) {
    const std::optional<ClientType> type = client_type_by_name(c.arg(3));
    if (!type) {
      c.out.error("ERR Unknown client type '" + std::string(c.arg(3)) + "'");
      return;
    }
    c.server.for_each_client([&](const Client& cl) {
      if (client_type_of(cl) == *type) out += own_line(cl);
    });
  } else if (c.argc() > 3 && equals_ci(c.arg(2), "id")) {
    std::vector<int64_t> ids;
    for (size_t i = 3; i < c.argc(); ++i) {
      const std::optional<int64_t> id = parse_ll(c.arg(i));
      if (!id) {
        c.out.error("ERR Invalid client ID");
        return;
      }
      ids.push_back(*id);
    }
    std::map<int64_t, std::string> lines;
    c.server.for_each_client([&](const Client& cl) {
      if (std::find(ids.begin(), ids.end(), static_cast<int64_t>(cl.id())) != ids.end()) {
        lines[static_cast<int64_t>(cl.id())] = own_line(cl);
      }
    });
    for (int64_t id : ids) {
      if (auto it = lines.find(id); it != lines.end()) out += it->second;
    }
  } else if (c.argc() != 2) {
    c.out.syntax_error();
    return;
  } else {
    c.server.for_each_client([&](const Client& cl) { out += own_line(cl); });
  }
  c.out.verbatim(out);
}

// CLIENT KILL addr:port (the old form: OK or "No such client"), or
// CLIENT KILL <filter> <value> ... (the number killed). Filters as in Redis
// 7.0: ID, ADDR, LADDR, TYPE (client_type_of), USER (only "default"
// exists), SKIPME (default yes).
void client_kill(CommandContext& c) {
  if (c.argc() == 3) {
    uint64_t victim = 0;
    c.server.for_each_client([&](const Client& cl) {
      if (cl.addr() == c.arg(2)) victim = cl.id();
    });
    if (victim == 0 || !c.server.kill_client(victim)) {
      c.out.error("ERR No such client");
      return;
    }
    c.out.ok();
    return;
  }
  if (c.argc() % 2 != 0) {
    c.out.syntax_error();
    return;
  }
  std::optional<uint64_t> id;
  std::optional<std::string_view> addr, laddr;
  std::optional<ClientType> type;
  bool skipme = true;
  for (size_t i = 2; i + 1 < c.argc(); i += 2) {
    const std::string filter = to_lower(c.arg(i));
    const std::string_view v = c.arg(i + 1);
    if (filter == "id") {
      auto n = parse_ll(v);
      if (!n || *n <= 0) {
        c.out.error("ERR client-id should be greater than 0");
        return;
      }
      id = static_cast<uint64_t>(*n);
    } else if (filter == "addr") {
      addr = v;
    } else if (filter == "laddr") {
      laddr = v;
    } else if (filter == "type") {
      type = client_type_by_name(v);
      if (!type) {
        c.out.error("ERR Unknown client type '" + std::string(v) + "'");
        return;
      }
    } else if (filter == "user") {
      if (v != "default") {
        c.out.error("ERR No such user '" + std::string(v) + "'");
        return;
      }
    } else if (filter == "skipme") {
      const std::string yn = to_lower(v);
      if (yn != "yes" && yn != "no") {
        c.out.syntax_error();
        return;
      }
      skipme = yn == "yes";
    } else {
      c.out.syntax_error();
      return;
    }
  }
  std::vector<uint64_t> victims;
  c.server.for_each_client([&](const Client& cl) {
    if (id && cl.id() != *id) return;
    if (addr && cl.addr() != *addr) return;
    if (laddr && cl.laddr() != *laddr) return;
    if (type && client_type_of(cl) != *type) return;
    if (skipme && &cl == &c.client) return;
    victims.push_back(cl.id());
  });
  int64_t killed = 0;
  for (uint64_t v : victims) killed += c.server.kill_client(v) ? 1 : 0;
  c.out.integer(killed);
}

// Admin as in Redis 7.0: LIST, KILL and NO-EVICT (MONITOR hides them).
constexpr SubcommandArity kClientSubcommands[] = {
    {"id", 2},           {"getname", 2},       {"setname", 3},  {"setinfo", 4},    {"info", 2},  {"list", -2, true},
    {"kill", -3, true},  {"no-evict", 3, true}, {"no-touch", 3}, {"reply", 3},     {"unblock", -3, true},
    {"pause", -3, true}, {"unpause", 2, true}, {"tracking", -3}, {"caching", 3},      {"getredir", 2},
    {"trackinginfo", 2}, {"help", 2}};

// CLIENT REPLY ON|OFF|SKIP, as Redis: OFF and SKIP say nothing themselves;
// SKIP while OFF changes nothing. Inside EXEC it is refused: dropping
// replies there would leave EXEC's array short (Redis sends it short).
void client_reply(CommandContext& c) {
  if (c.in_exec) {
    c.out.error("ERR CLIENT REPLY is not allowed inside MULTI");
    return;
  }
  const std::string mode = to_lower(c.arg(2));
  if (mode == "on") {
    c.client.reply_off = false;
    c.client.reply_skip = false;
    c.out.ok();
  } else if (mode == "off") {
    c.client.reply_off = true;
  } else if (mode == "skip") {
    if (!c.client.reply_off) c.client.reply_skip_next = true;
  } else {
    c.out.syntax_error();
  }
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a client's BLPOP (and family)
// wait as if it timed out, or with Redis's UNBLOCKED error; 1 if the client
// was blocked. Redis checks the reason before the id.
// Redis's reply to a known subcommand with arguments it does not take.
void wrong_client_arguments(CommandContext& c) {
  c.out.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(c.arg(1)) +
              "'. Try CLIENT HELP.");
}

void client_unblock(CommandContext& c) {
  if (c.argc() > 4) {
    wrong_client_arguments(c);
    return;
  }
  int mode = BlockedWaiter::kUnblockTimeout;
  if (c.argc() == 4) {
    if (equals_ci(c.arg(3), "error")) {
      mode = BlockedWaiter::kUnblockError;
    } else if (!equals_ci(c.arg(3), "timeout")) {
      c.out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  }
  int64_t id;
  if (!get_ll_or_reply(c.out, c.arg(2), &id)) return;
  c.out.integer(id >= 0 && c.server.blocking().unblock(static_cast<uint64_t>(id), mode) ? 1 : 0);
}

// CLIENT PAUSE timeout [WRITE|ALL] (client_pause.h), as Redis 7.0: the mode
// is checked before the timeout (milliseconds). A deadline past the 64-bit
// clock wraps into the past in Redis, and 0 is no time at all: either
// pauses nothing new, though it still makes a pause in force stricter.
void client_pause(CommandContext& c) {
  if (c.argc() > 4) {
    wrong_client_arguments(c);
    return;
  }
  ClientPause::Mode mode = ClientPause::Mode::kAll;
  if (c.argc() == 4) {
    if (equals_ci(c.arg(3), "write")) {
      mode = ClientPause::Mode::kWrite;
    } else if (!equals_ci(c.arg(3), "all")) {
      c.out.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  }
  int64_t timeout;
  if (!parse_ms_timeout_or_reply(c, c.arg(2), &timeout)) return;
  const int64_t now = store::system_unix_ms();
  const int64_t end = timeout == 0 || timeout > std::numeric_limits<int64_t>::max() - now ? 0 : now + timeout;
  c.server.client_pause().pause(end, mode);
  c.client.pause_wait = true;  // the dispatcher waits for commands in flight before the OK goes out
  c.out.ok();
}

// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN]
// [OPTOUT] [NOLOOP] (tracking.h): Redis 7.0's parsing, then its checks in
// its order, with its texts.
void client_tracking(CommandContext& c) {
  TrackingOptions o;
  for (size_t j = 3; j < c.argc(); ++j) {
    const bool more = j + 1 < c.argc();
    const std::string opt = to_lower(c.arg(j));
    if (opt == "redirect" && more) {
      ++j;
      if (o.redirect != 0) {
        c.out.error("ERR A client can only redirect to a single other client");
        return;
      }
      int64_t id;
      if (!get_ll_or_reply(c.out, c.arg(j), &id)) return;
      if (id <= 0 || !c.server.with_client(static_cast<uint64_t>(id), [](const Client&) {})) {
        c.out.error("ERR The client ID you want redirect to does not exist");
        return;
      }
      o.redirect = static_cast<uint64_t>(id);
    } else if (opt == "bcast") {
      o.bcast = true;
    } else if (opt == "optin") {
      o.optin = true;
    } else if (opt == "optout") {
      o.optout = true;
    } else if (opt == "noloop") {
      o.noloop = true;
    } else if (opt == "prefix" && more) {
      o.prefixes.emplace_back(c.arg(++j));
    } else {
      c.out.syntax_error();
      return;
    }
  }
  Client& cl = c.client;
  const TrackingOptions* now = cl.tracking_options();
  if (equals_ci(c.arg(2), "off")) {
    client_tracking_off(c.server, cl);
    c.out.ok();
    return;
  }
  if (!equals_ci(c.arg(2), "on")) {
    c.out.syntax_error();
    return;
  }
  const char* error = nullptr;
  if (!o.bcast && !o.prefixes.empty()) {
    error = "ERR PREFIX option requires BCAST mode to be enabled";
  } else if (now != nullptr && now->bcast != o.bcast) {
    error = "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
            "re-enabling it with a different mode.";
  } else if (o.bcast && (o.optin || o.optout)) {
    error = "ERR OPTIN and OPTOUT are not compatible with BCAST";
  } else if (o.optin && o.optout) {
    error = "ERR You can't specify both OPTIN mode and OPTOUT mode";
  } else if (now != nullptr && ((o.optin && now->optout) || (o.optout && now->optin))) {
    error = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
            "re-enabling it with a different mode.";
  }
  if (error != nullptr) {
    c.out.error(error);
    return;
  }
  if (o.bcast) {
    if (std::string e = c.server.tracking().prefix_collision(cl.id(), o.prefixes); !e.empty()) {
      c.out.error(e);
      return;
    }
  }
  client_tracking_on(c.server, cl, std::move(o));
  c.out.ok();
}

// CLIENT CACHING YES|NO: whether the next command's keys are remembered,
// in OPTIN / OPTOUT mode.
void client_caching(CommandContext& c) {
  Client& cl = c.client;
  const TrackingOptions* o = cl.tracking_options();
  if (o == nullptr) {
    c.out.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT "
                "mode enabled");
    return;
  }
  if (equals_ci(c.arg(2), "yes")) {
    if (!o->optin) {
      c.out.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
      return;
    }
  } else if (equals_ci(c.arg(2), "no")) {
    if (!o->optout) {
      c.out.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
      return;
    }
  } else {
    c.out.syntax_error();
    return;
  }
  cl.tracking_caching = true;
  c.out.ok();
}

// CLIENT TRACKINGINFO: Redis's map of flags (a set), redirect, prefixes.
void client_trackinginfo(CommandContext& c) {
  const Client& cl = c.client;
  const TrackingOptions off;
  const TrackingOptions& o = cl.tracking ? *cl.tracking_options() : off;
  std::vector<const char*> flags{cl.tracking ? "on" : "off"};
  if (o.bcast) flags.push_back("bcast");
  if (o.optin) {
    flags.push_back("optin");
    if (cl.tracking_caching) flags.push_back("caching-yes");
  }
  if (o.optout) {
    flags.push_back("optout");
    if (cl.tracking_caching) flags.push_back("caching-no");
  }
  if (o.noloop) flags.push_back("noloop");
  if (cl.tracking_broken_redir.load(std::memory_order_relaxed)) flags.push_back("broken_redirect");
  c.out.map(3);
  c.out.bulk("flags");
  c.out.set(flags.size());
  for (const char* f : flags) c.out.bulk(f);
  c.out.bulk("redirect");
  c.out.integer(cl.tracking ? static_cast<int64_t>(o.redirect) : -1);
  c.out.bulk("prefixes");
  c.out.array(o.prefixes.size());
  for (const std::string& p : o.prefixes) c.out.bulk(p);
}

void cmd_client(CommandContext& c) {
  const std::string sub = to_lower(c.arg(1));
  if (sub == "id" && c.argc() == 2) {
    c.out.integer(static_cast<int64_t>(c.client.id()));
  } else if (sub == "getname" && c.argc() == 2) {
    std::string n = c.client.name();
    if (n.empty()) {
      c.out.null();
    } else {
      c.out.bulk(n);
    }
  } else if (sub == "setname" && c.argc() == 3) {
    for (char ch : c.arg(2)) {
      if (ch < '!' || ch > '~') {
        c.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
    }
    c.client.set_name(std::string(c.arg(2)));
    c.out.ok();
  } else if (sub == "setinfo" && c.argc() == 4) {
    const std::string attr = to_lower(c.arg(2));
    if (attr != "lib-name" && attr != "lib-ver") {
      c.out.error("ERR Unrecognized option '" + std::string(c.arg(2)) + "'");
      return;
    }
    for (char ch : c.arg(3)) {
      if (ch < '!' || ch > '~') {
        c.out.error("ERR " + attr + " cannot contain spaces, newlines or special characters.");
        return;
      }
    }
    c.client.set_lib(std::string(c.arg(3)), std::string(c.arg(3)), attr == "lib-name", attr == "lib-ver");
    c.out.ok();
  } else if (sub == "info" && c.argc() == 2) {
    c.out.verbatim(client_line(c.client, argv_bytes(c)));
  } else if (sub == "list") {
    client_list(c);
  } else if (sub == "kill" && c.argc() >= 3) {
    client_kill(c);
  } else if (sub == "reply") {
    client_reply(c);
  } else if (sub == "unblock") {
    client_unblock(c);
  } else if (sub == "tracking") {
    client_tracking(c);
  } else if (sub == "caching") {
    client_caching(c);
  } else if (sub == "getredir") {
    c.out.integer(c.client.tracking ? static_cast<int64_t>(c.client.tracking_options()->redirect) : -1);
  } else if (sub == "trackinginfo") {
    client_trackinginfo(c);
  } else if (sub == "pause") {
    client_pause(c);
  } else if (sub == "unpause" && c.argc() == 2) {
    c.server.client_pause().unpause();
    c.out.ok();
  } else if ((sub == "no-evict" || sub == "no-touch") && c.argc() == 3) {
    if (!equals_ci(c.arg(2), "on") && !equals_ci(c.arg(2), "off")) {
      c.out.syntax_error();
      return;
    }
    // NO-TOUCH (Redis 7.2): this client's commands leave the keys' access
    // time and frequency alone, but TOUCH. NO-EVICT: tmkv never evicts
    // clients, so there is nothing to switch.
    if (sub == "no-touch") c.client.no_touch = equals_ci(c.arg(2), "on");
    c.out.ok();
  } else if (sub == "help" && c.argc() == 2) {
    static const char* kHelp[] = {"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                                  "CACHING (YES|NO)",
                                  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
                                  "GETREDIR",
                                  "    Return the client ID we are redirecting to when tracking is enabled.",
                                  "GETNAME", "    Return the name of the current connection.",
                                  "ID", "    Return the ID of the current connection.",
                                  "INFO", "    Return information about the current client connection.",
                                  "KILL ID <client-id>", "    Kill the connection with the given ID.",
                                  "LIST", "    Return information about client connections.",
                                  "UNPAUSE", "    Stop the current client pause, resuming traffic.",
                                  "PAUSE <timeout> [WRITE|ALL]",
                                  "    Suspend all, or just write, clients for <timeout> milliseconds.",
                                  "SETINFO <option> <value>", "    Set client meta attr (LIB-NAME, LIB-VER).",
                                  "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
                                  "SETNAME <name>", "    Assign the name <name> to the current connection.",
                                  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                                  "    Unblock the specified blocked client.",
                                  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
                                  "         [OPTIN] [OPTOUT] [NOLOOP]",
                                  "    Control server assisted client side caching.",
                                  "TRACKINGINFO", "    Report tracking status for the current connection.",
                                  "HELP", "    Print this help."};
    reply_help(c.out, kHelp);
  } else {
    c.out.syntax_error();  // not reached: the dispatcher checked the subcommand (kClientSubcommands)
  }
}

}  // namespace

void register_connection_commands(std::vector<CommandSpec>& t) {
  t.push_back({"ping", -1, kFast | kSubscribedContext, 0, 0, 0, "connection", "Returns the server's liveliness response.", cmd_ping});
  t.push_back({"echo", 2, kFast, 0, 0, 0, "connection", "Returns the given string.", cmd_echo});
  t.push_back({"auth", -2, kNoAuth | kFast, 0, 0, 0, "connection", "Authenticates the connection.", cmd_auth});
  t.push_back({"hello", -1, kNoAuth | kFast, 0, 0, 0, "connection", "Handshakes with the Redis server.", cmd_hello});
  t.push_back({"quit", -1, kNoAuth | kImmediateInMulti | kFast | kSubscribedContext, 0, 0, 0, "connection", "Closes the connection.", cmd_quit});
  t.push_back({"reset", 1, kNoAuth | kImmediateInMulti | kFast | kSubscribedContext, 0, 0, 0, "connection", "Resets the connection.", cmd_reset});
  t.push_back({"select", 2, kFast, 0, 0, 0, "connection", "Changes the selected database.", cmd_select});
  t.push_back({"client", -2, 0, 0, 0, 0, "connection", "A container for client connection commands.", cmd_client, kClientSubcommands});
}

}  // namespace tmkv::server
