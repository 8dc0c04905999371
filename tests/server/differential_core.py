"""The differential runner: sends each command to two servers and compares.

Side A is always the reference redis-server, side B the server under test
(tmkv-server, or a second redis-server with DIFF_AGAINST_REDIS=1).

A command is sent to both servers before either reply is read, so both see
it at nearly the same instant (this keeps TTL readings close). Replies are
compared under a *mode*:

  EXACT          type and value identical (the default, and the rule)
  SORTED         arrays compared as multisets (KEYS: order unspecified)
  TTL_S, TTL_MS  negative replies (-1, -2) exactly; non-negative ones within
                 TTL_TOLERANCE_S / TTL_TOLERANCE_MS (the servers are hit at
                 different instants)
  NILNESS        RANDOMKEY: both nil, or both a bulk string
  SAME_TYPE      OBJECT ENCODING, MEMORY USAGE: errors and nils exact, else
                 the same reply type
  PAIRS          HGETALL (RESP2 flat array or RESP3 map): errors and nils
                 exact, else the same reply type and the same multiset of
                 (field, value) pairs (see INTENTIONAL_DIFFERENCES)
  ('hrandfield', count, withvalues)
                 HRANDFIELD: errors and nils exact, else the same reply
                 type and shape (RESP2 flat pairs, RESP3 nested ones), the
                 same length, distinct fields for a positive count, and the
                 same entries where the reply is the whole hash
  ('spop', count) / ('srandmember', count)
                 SPOP / SRANDMEMBER: errors and nils exact, else the same
                 reply type (SPOP with a count: RESP3 set; SRANDMEMBER: an
                 array), the same length, distinct members where the command
                 promises them, and the same members where the reply is the
                 whole set
  ENCODING       OBJECT ENCODING in random sequences: a set's encoding
                 (either side says intset), a list's (either side says
                 quicklist) and a sorted set's (either side says skiplist:
                 listpack against skiplist is a divergence) exactly, else
                 as SAME_TYPE
  INTSET_ORDER   a set reply built from intsets only: exact (ascending on
                 both) if it has at most 512 members, else SORTED
  HELLO          see INTENTIONAL_DIFFERENCES
  ('exec', [..]) EXEC: an array compared element by element with the modes
                 of the commands that were queued; anything else EXACT
"""
import collections
import time

from differential_resp import RespConn, encode, fmt, fmt_args

EXACT = "exact"
SORTED = "sorted"
TTL_S = "ttl_s"
TTL_MS = "ttl_ms"
NILNESS = "nilness"
SAME_TYPE = "same_type"
HELLO = "hello"
PAIRS = "pairs"
HRANDFIELD = "hrandfield"
SPOP = "spop"
SRANDMEMBER = "srandmember"
ENCODING = "encoding"
INTSET_ORDER = "intset_order"

TTL_TOLERANCE_S = 2
TTL_TOLERANCE_MS = 2000

# Every place where the test does not demand an identical reply, and why.
# Keep this short: everything else is compared byte for byte.
INTENTIONAL_DIFFERENCES = [
    ("HELLO reply map", "server name, version, connection id, mode, role and modules describe the "
     "implementation, not the protocol; only the 'proto' field and the reply's type are compared "
     "(errors such as NOPROTO are compared exactly)"),
    ("TTL / PTTL values", "the two servers read their clocks at different instants: non-negative "
     f"values may differ by {TTL_TOLERANCE_S} s / {TTL_TOLERANCE_MS} ms; -1 and -2 compared exactly"),
    ("KEYS order", "unspecified in Redis; the arrays are compared sorted"),
    ("SCAN cursors", "implementation-defined; the test iterates each server to cursor 0 and compares "
     "the union of the keys returned (and any error exactly)"),
    ("OBJECT ENCODING / REFCOUNT in random sequences", "Redis's answer depends on how the value was written "
     "(APPEND, SETRANGE and INCRBYFLOAT leave raw or embstr strings, SET encodes integers; a HyperLogLog that "
     "PFADD or PFMERGE built is raw however short); tmkv stores every string alike and answers as SET would "
     "have stored the value (embstr for a HyperLogLog of up to 44 bytes): compared exactly in the scenario "
     "object_and_memory (values written by SET), in random sequences and for HyperLogLogs (scenario "
     "hyperloglog) only by reply type and nil-ness, but for a set's encoding (intset or hashtable: where "
     "either server answers intset) and a list's (quicklist, as Redis 7.0 answers for every list), compared "
     "exactly"),
    ("DUMP payloads", "Redis LZF-compresses values over 20 bytes and tmkv does not, and the two pick different "
     "RDB types (Redis a listpack for a small hash, an intset, a quicklist, type 18, for every list; tmkv types 4, "
     "2 and 1): both are valid payloads, compared by reply type, then by what each server's payload restores to "
     "on both servers"),
    ("Consumer-group writes and XSETID under WATCH", "Redis 7.0 changes a stream's groups (XGROUP, XREADGROUP, "
     "XACK, XCLAIM, XAUTOCLAIM) and its last ID (XSETID) in place without telling WATCH; tmkv stores a new "
     "version of the key, so a WATCH on it sees every such change (a modification never goes unseen). Not "
     "generated in random sequences while client A may be watching; replies and keyspace events still compared"),
    ("DUMP of a stream", "both servers write RDB type 19, but their listpack nodes differ (tmkv splits nodes by "
     "entry count only and keeps no deleted entries), so the payloads' bytes differ: random sequences RESTORE each "
     "server's payload on that server and compare what it restores to (XINFO STREAM FULL and the groups)"),
    ("MEMORY USAGE", "bytes of two different stores: compared by reply type and nil-ness (errors exactly); "
     "random sequences touch every key first, because Redis 7.0 still measures an expired key it has not "
     "reclaimed yet, where tmkv answers nil"),
    ("REPLICAOF / SLAVEOF host port", "tmkv does not replicate and refuses a master to follow (Redis answers OK "
     "and starts syncing): not sent; NO ONE and the argument errors are compared exactly (scenario "
     "replication_role), the refusal is checked in command_table_test.py"),
    ("RANDOMKEY", "random by definition; compared exactly when the database holds one key, otherwise "
     "only nil vs non-nil (preceded by an exactly compared DBSIZE)"),
    ("HGETALL / HKEYS / HVALS / HSCAN order", "a hash Redis keeps as a listpack (at most 512 fields, no field "
     "or value over 64 bytes, and never bigger since) lists in insertion order, and so does tmkv; past that "
     "Redis's hashtable lists in its dict's order and tmkv in its trie's. Compared exactly in the scenario hashes "
     "for listpack-sized hashes; bigger ones there, and every hash in random sequences, as multisets of (field, "
     "value) pairs (HGETALL, HSCAN's union of pages) or of elements (HKEYS, HVALS). So is a script's map (a Lua "
     "table {map = ...}, walked in Lua's table order)"),
    ("HSCAN cursors", "as SCAN's: each server iterated to cursor 0, the unions of (field, value) pairs compared; "
     "the server that needed fewer calls gets repeated first calls until both made as many, so INFO's keyspace "
     "hits and commandstats still agree exactly"),
    ("HRANDFIELD", "random by definition: compared by reply type, shape (RESP2 flat, RESP3 nested pairs) and "
     "length, fields distinct for a positive count, and entry by entry where the reply is the whole hash; "
     "random sequences then check each server's entries against its own hash (HGETALL, HEXISTS); errors exactly"),
    ("SMEMBERS / SINTER / SUNION / SDIFF / SSCAN order", "Redis lists an intset-encoded set (at most 512 "
     "members, all canonical 64-bit integers, and never anything else since) in ascending order, and so does "
     "tmkv; a hashtable-encoded one in its dict's order, tmkv in its own. SINTER walks its smallest input "
     "(of equal sizes, whichever Redis's qsort puts first), SUNION / SDIFF list a result set that is an intset "
     "only if Redis built it as one. Compared exactly where every input is an intset: in the scenario sets, and "
     "in random sequences where OBJECT ENCODING says so first (half of these commands outside MULTI, and every "
     "intset of the final state); everywhere else (hashtables, mixed inputs, inside MULTI, a script's set "
     "reply) as multisets"),
    ("SPOP / SRANDMEMBER", "random by definition: compared by reply type (SPOP with a count: a RESP3 set; "
     "SRANDMEMBER with a count: an array), length, members distinct for a positive count, and member by member "
     "where the reply is the whole set (errors exactly). Random sequences check each server's members against "
     "its own set (SMEMBERS before an SPOP, SISMEMBER / SMEMBERS after an SRANDMEMBER); an SPOP that leaves "
     "the set non-empty removed different members on each server, so each server gets its own popped members "
     "back (SADD, same count on both) and the sets agree again; inside MULTI only SPOPs that empty the set, "
     "or fail, are generated"),
    ("SSCAN cursors", "as HSCAN's: each server iterated to cursor 0, the unions of members compared, the calls "
     "evened out (an intset comes back whole in one call with cursor 0 on both)"),
    ("ZRANDMEMBER", "random by definition: compared as HRANDFIELD (reply type, shape, RESP3 nesting, length, "
     "distinct members for a positive count, the whole set where the count reaches it), then random sequences "
     "check each server's members (and scores) against its own sorted set (ZRANGE 0 -1 WITHSCORES, compared "
     "exactly); errors exactly"),
    ("ZSCAN cursors and order", "as SSCAN's: each server iterated to cursor 0, the unions of (member, score) "
     "pairs compared, the calls evened out. Where Redis keeps the set as a listpack it returns the whole set in "
     "one call, in score order: the scenario zsets compares that single call exactly"),
    ("ZRANGEBYLEX / ZREVRANGEBYLEX / ZRANGE BYLEX / ZLEXCOUNT / ZREMRANGEBYLEX on a set of unequal scores",
     "Redis documents their result only where every member has the same score: random sequences run them only "
     "where ZRANGE 0 -1 WITHSCORES (compared) shows one score, or none, or after a ZADD that gives every member "
     "score 0; anything else about them (errors, WRONGTYPE, missing keys) is compared exactly"),
    ("PFDEBUG GETREG / TODENSE of a sparse HyperLogLog; a PFADD that raises a register, then stops at a corrupt "
     "one", "Redis changes the value in place (to dense; the registers raised before INVALIDOBJ) without telling "
     "WATCH; tmkv stores it as a new version, so WATCH sees it. Not generated in random sequences while client A "
     "may be watching (no GETREG or TODENSE then, PFADD of at most one element); left out of the scenario "
     "hyperloglog's WATCH cases. Their replies, values and keyspace events (none) are still compared"),
    ("SORT / SORT_RO", "Redis converts a listpack sorted set it sorts into a skiplist for good without telling "
     "WATCH; tmkv only reads it (OBJECT ENCODING differs afterwards: random sequences sort lists and sets only). BY "
     "nosort over a hashtable set, and ALPHA BY ties over a sorted set or hashtable set, follow each server's "
     "iteration order: compared as multisets, or by reply type where LIMIT cuts (differential_sort.py). After a "
     "weight overflows or underflows (ERANGE), Redis's later numeric sorts of non-integer strings fail until a "
     "connection is accepted (a stale errno); tmkv does not copy that bug, and the scenarios open a connection after "
     "each such case"),
    ("BITFIELD whose every write OVERFLOW FAIL refuses, on a key it creates or grows", "Redis stores the "
     "zero-padded string without telling WATCH; tmkv cannot store without a new version, so WATCH sees it. "
     "Not generated in random sequences: a BITFIELD with OVERFLOW FAIL ends with an applied write "
     "(OVERFLOW WRAP INCRBY u1 0 0), which makes Redis tell WATCH too; values and replies are still compared"),
]


class Divergence(Exception):
    pass


def _is_nil(r):
    return r in (("$", None), ("_", None), ("*", None))


def _sort_key(r):
    return fmt(r, limit=10**9)


def same(mode, a, b):
    if callable(mode):  # a scenario's own comparison (differential_functions.py)
        return mode(a, b)
    if isinstance(mode, tuple) and mode[0] == "exec":
        if a[0] in "*" and b[0] == a[0] and a[1] is not None and b[1] is not None and len(a[1]) == len(b[1]) \
                and len(a[1]) == len(mode[1]):
            return all(same(m, x, y) for m, x, y in zip(mode[1], a[1], b[1]))
        return a == b
    if mode == EXACT:
        return a == b
    if mode == SORTED:
        if a[0] in "*~" and b[0] == a[0] and a[1] is not None and b[1] is not None:
            return sorted(a[1], key=_sort_key) == sorted(b[1], key=_sort_key)
        return a == b
    if mode in (TTL_S, TTL_MS):
        if a[0] == ":" and b[0] == ":" and a[1] >= 0 and b[1] >= 0:
            tol = TTL_TOLERANCE_S if mode == TTL_S else TTL_TOLERANCE_MS
            return abs(a[1] - b[1]) <= tol
        return a == b
    if mode == NILNESS:
        if _is_nil(a) or _is_nil(b):
            return a == b
        return a[0] == "$" and b[0] == "$"
    if mode == SAME_TYPE:
        if a[0] in "-!" or b[0] in "-!" or _is_nil(a) or _is_nil(b):
            return a == b
        return a[0] == b[0]
    if isinstance(mode, tuple) and mode[0] == HRANDFIELD:
        return _hrandfield_same(mode[1], mode[2], a, b)
    if isinstance(mode, tuple) and mode[0] in (SPOP, SRANDMEMBER):
        return _sample_same(mode[0], mode[1], a, b)
    if mode == INTSET_ORDER:
        if a[0] in "*~" and a[1] is not None and len(a[1]) > 512:
            return same(SORTED, a, b)
        return a == b
    if mode == ENCODING:
        if any(x in (("$", b"intset"), ("$", b"quicklist"), ("$", b"skiplist")) for x in (a, b)):
            return a == b
        return same(SAME_TYPE, a, b)
    if mode == HELLO:
        if a[0] in "-!" or b[0] in "-!":
            return a == b
        return a[0] == b[0] and _hello_proto(a) == _hello_proto(b) and _hello_proto(a) is not None
    if mode == PAIRS:
        # Anything but an array or a map (errors, nils, +QUEUED) exactly.
        if a[0] not in "*%" or _is_nil(a) or _is_nil(b) or a[0] != b[0]:
            return a == b
        pa, pb = hash_pairs(a), hash_pairs(b)
        return pa is not None and pb is not None and sorted(pa) == sorted(pb)
    raise ValueError(mode)


def _pair_key(kv):
    return (_sort_key(kv[0]), _sort_key(kv[1]))


def hash_pairs(r):
    """The (field, value) pairs of an HGETALL-like reply (RESP2 flat array,
    RESP3 map) as sortable tuples of their text, or None if it is neither."""
    if r[0] == "%":
        pairs = r[1]
    elif r[0] == "*" and r[1] is not None and len(r[1]) % 2 == 0:
        pairs = list(zip(r[1][0::2], r[1][1::2]))
    else:
        return None
    return [_pair_key(kv) for kv in pairs]


def hrandfield_entries(r, withvalues):
    """HRANDFIELD's entries as (field,) or (field, value) tuples of reply
    text, or None if the reply is not of a shape HRANDFIELD gives: with
    WITHVALUES, RESP2 flattens the pairs and RESP3 nests them."""
    if r[0] != "*" or r[1] is None:
        return None
    items = r[1]
    if not withvalues:
        return [(_sort_key(x),) for x in items] if all(x[0] == "$" for x in items) else None
    if items and all(x[0] == "*" and x[1] is not None and len(x[1]) == 2 for x in items):
        return [_pair_key(x[1]) for x in items]
    if len(items) % 2 == 0 and all(x[0] == "$" for x in items):
        return [_pair_key(kv) for kv in zip(items[0::2], items[1::2])]
    return None


def _hrandfield_same(count, withvalues, a, b):
    # Anything but the reply's type (errors, nils, +QUEUED) exactly.
    if a[0] != ("$" if count is None else "*") or _is_nil(a) or _is_nil(b) or a[0] != b[0]:
        return a == b
    if count is None:  # one random field
        return True
    ea, eb = hrandfield_entries(a, withvalues), hrandfield_entries(b, withvalues)
    if ea is None or eb is None or len(ea) != len(eb):
        return False
    # The same element types too: RESP2's flat pairs on one side and RESP3's
    # nested ones on the other would give the same entries.
    if [x[0] for x in a[1]] != [x[0] for x in b[1]]:
        return False
    if count < 0:  # with repetitions: always -count of them (none if no hash)
        return len(ea) in (0, -count)
    for e in (ea, eb):
        if len({x[0] for x in e}) != len(e) or len(e) > count:
            return False
    if len(ea) < count:  # fewer than asked: the whole hash
        return sorted(ea) == sorted(eb)
    return True


def sample_members(r):
    """The members of an SPOP / SRANDMEMBER reply with a count (array, or
    RESP3 set) as bytes, or None if it is not a flat list of bulk strings."""
    if r[0] not in "*~" or r[1] is None or not all(x[0] == "$" and x[1] is not None for x in r[1]):
        return None
    return [x[1] for x in r[1]]


def _sample_same(cmd, count, a, b):
    """SPOP / SRANDMEMBER: one member (count None) or a reply with a count;
    anything but that reply's type (errors, nils, +QUEUED) exactly. The
    type is exact too: SPOP with a count answers a set (RESP3 '~'),
    SRANDMEMBER with a count an array, also when it returns the whole set."""
    if count is None:
        if a[0] != "$" or _is_nil(a) or _is_nil(b):
            return a == b
        return b[0] == "$"
    if a[0] not in "*~" or a[1] is None or b[0] != a[0] or b[1] is None:
        return a == b
    ma, mb = sample_members(a), sample_members(b)
    if ma is None or mb is None or len(ma) != len(mb):
        return False
    if count < 0:  # SRANDMEMBER with repetitions: -count of them (none if no set)
        return cmd == SRANDMEMBER and len(ma) in (0, -count)
    for m in (ma, mb):
        if len(set(m)) != len(m) or len(m) > count:
            return False
    if len(ma) < count:  # fewer than asked: the whole set
        return sorted(ma) == sorted(mb)
    return True


def _hello_proto(r):
    if r[0] == "%":
        pairs = r[1]
    elif r[0] == "*" and r[1] is not None:
        pairs = list(zip(r[1][0::2], r[1][1::2]))
    else:
        return None
    for k, v in pairs:
        if k[0] in "+$" and k[1] == b"proto":
            return v
    return None


class Runner:
    """Connections come in labelled pairs (one to each server); 'A' and 'B'
    are the two clients a sequence uses."""

    def __init__(self, port_ref, port_test, names=("redis", "tmkv"), history=12):
        self.ports = (port_ref, port_test)
        self.names = names
        self.conns = {}
        self.multi = {}  # label -> list of modes of queued commands, or None
        self.history = collections.deque(maxlen=history)
        self.commands = 0
        self.context = ""
        # With keep_going, a divergence is handed to on_divergence(report,
        # info) and the case goes on (later divergences may be knock-on ones).
        self.keep_going = False
        self.on_divergence = None

    # ---- connections ----
    def open(self, label, proto=2):
        self.close(label)
        self.conns[label] = (RespConn(self.ports[0]), RespConn(self.ports[1]))
        self.multi[label] = None
        if proto == 3:
            a, b = self.do(label, "HELLO", "3", mode=HELLO)
            if a[0] != "%":
                raise Divergence(f"HELLO 3 did not switch {self.names[0]} to RESP3: {fmt(a)}")

    def close(self, label):
        pair = self.conns.pop(label, None)
        if pair:
            for c in pair:
                c.close()
        self.multi.pop(label, None)

    def close_all(self):
        for label in list(self.conns):
            self.close(label)

    def in_multi(self, label):
        return self.multi.get(label) is not None

    # ---- commands ----
    def do(self, label, *args, mode=EXACT):
        """Sends one command to both servers, compares the replies, and
        returns them (reference, test)."""
        ca, cb = self.conns[label]
        ca.send(args)
        cb.send(args)
        ra = ca.read()
        rb = cb.read()
        self.commands += 1
        queue = self.multi.get(label)
        name = str(args[0]).lower() if args and not isinstance(args[0], bytes) else \
            (args[0].decode("latin-1").lower() if args else "")
        eff_mode = mode
        if queue is not None and name == "exec" and len(args) == 1:
            eff_mode = ("exec", queue)
        self._check(label, fmt_args(args), eff_mode, ra, rb)
        # Track MULTI state from the (identical) replies.
        if name == "reset" and ra == ("+", b"RESET"):
            self.multi[label] = None
        elif queue is None:
            if name == "multi" and len(args) == 1 and ra == ("+", b"OK"):
                self.multi[label] = []
        else:
            if name in ("exec", "discard") and len(args) == 1:
                self.multi[label] = None
            elif name == "exec" and ra[0] == "-" and ra[1].startswith(b"EXECABORT"):
                self.multi[label] = None  # Redis: a rejected EXEC (wrong arity) discards the transaction
            elif ra == ("+", b"QUEUED"):
                queue.append(mode)
        return ra, rb

    def do_split(self, label, args_ref, args_test, shown, mode=EXACT):
        """Different commands to the two servers (e.g. EXISTS of the key each
        one's RANDOMKEY returned), replies compared as usual."""
        ca, cb = self.conns[label]
        ca.send(args_ref)
        cb.send(args_test)
        ra, rb = ca.read(), cb.read()
        self.commands += 1
        self._check(label, shown, mode, ra, rb)
        return ra, rb

    def raw(self, label, data, nreplies, mode=EXACT, expect_close=False):
        """Sends raw bytes (inline commands, pipelines, protocol errors) and
        compares the next `nreplies` replies one by one; with expect_close,
        also that both servers close the connection (or both keep it)."""
        ca, cb = self.conns[label]
        ca.send_raw(data)
        cb.send_raw(data)
        shown = fmt_args([data])
        out = []
        for i in range(nreplies):
            ra, rb = ca.read(), cb.read()
            self.commands += 1
            self._check(label, f"raw {shown} (reply {i + 1}/{nreplies})", mode, ra, rb)
            out.append(ra)
        if expect_close:
            closed_a, closed_b = ca.read_closed(), cb.read_closed()
            if closed_a != closed_b:
                self._fail(label, f"raw {shown} (connection state)",
                           ("CLOSED" if closed_a else "+", b"closed" if closed_a else b"kept open"),
                           ("CLOSED" if closed_b else "+", b"closed" if closed_b else b"kept open"))
        return out

    def scan_all(self, label, *opts):
        """SCAN from cursor 0 to 0 on each server; compares the sets of keys
        (cursors are implementation-defined) or the errors."""
        results = []
        for side in (0, 1):
            conn = self.conns[label][side]
            cursor, keys, reply, steps = b"0", set(), None, 0
            while True:
                conn.send(("SCAN", cursor) + tuple(opts))
                reply = conn.read()
                self.commands += 1
                steps += 1
                if reply[0] != "*" or reply[1] is None or len(reply[1]) != 2 or reply[1][0][0] != "$" \
                        or reply[1][1][0] not in "*~" or reply[1][1][1] is None:
                    break
                keys.update(k[1] if k[0] == "$" else k for k in reply[1][1][1])
                cursor = reply[1][0][1]
                if cursor == b"0" or steps > 10000:
                    reply = None
                    break
            results.append(reply if reply is not None else ("*", [("$", k) for k in sorted(keys)]))
        self._check(label, "SCAN 0.. (full iteration, union of keys) " + fmt_args(opts), EXACT, *results)
        return results

    def hscan_all(self, label, key, *opts):
        """HSCAN key from cursor 0 to 0 on each server; compares the unions
        of (field, value) pairs (cursors are implementation-defined; a
        hashtable-encoded hash may return a field twice) or the errors.
        Each HSCAN call is a keyspace hit or miss and a commandstats call:
        the server that finished in fewer calls gets its first call again
        until both made as many."""
        results, steps_by_side = [], []
        for side in (0, 1):
            conn = self.conns[label][side]
            cursor, pairs, reply, steps = b"0", set(), None, 0
            while True:
                conn.send(("HSCAN", key, cursor) + tuple(opts))
                reply = conn.read()
                self.commands += 1
                steps += 1
                if reply[0] != "*" or reply[1] is None or len(reply[1]) != 2 or reply[1][0][0] != "$" \
                        or reply[1][1][0] != "*" or reply[1][1][1] is None or len(reply[1][1][1]) % 2:
                    break
                page = reply[1][1][1]
                pairs.update(zip((x[1] for x in page[0::2]), (x[1] for x in page[1::2])))
                cursor = reply[1][0][1]
                if cursor == b"0" or steps > 10000:
                    reply = None
                    break
            steps_by_side.append(steps)
            results.append(reply if reply is not None else
                           ("*", [x for kv in sorted(pairs) for x in (("$", kv[0]), ("$", kv[1]))]))
        self._check(label, f"HSCAN {fmt_args([key])} 0.. (full iteration, union of pairs) " + fmt_args(opts),
                    EXACT, *results)
        for side in (0, 1):
            for _ in range(max(steps_by_side) - steps_by_side[side]):
                conn = self.conns[label][side]
                conn.send(("HSCAN", key, 0) + tuple(opts))
                conn.read()
        return results

    def sscan_all(self, label, key, *opts):
        """SSCAN key from cursor 0 to 0 on each server; compares the unions
        of members (cursors are implementation-defined; an intset comes back
        whole in one call with cursor 0, a hashtable in pages that may repeat
        a member) or the errors. Calls evened out as in hscan_all."""
        results, steps_by_side = [], []
        for side in (0, 1):
            conn = self.conns[label][side]
            cursor, members, reply, steps = b"0", set(), None, 0
            while True:
                conn.send(("SSCAN", key, cursor) + tuple(opts))
                reply = conn.read()
                self.commands += 1
                steps += 1
                if reply[0] != "*" or reply[1] is None or len(reply[1]) != 2 or reply[1][0][0] != "$" \
                        or reply[1][1][0] != "*" or reply[1][1][1] is None:
                    break
                members.update(x[1] for x in reply[1][1][1])
                cursor = reply[1][0][1]
                if cursor == b"0" or steps > 10000:
                    reply = None
                    break
            steps_by_side.append(steps)
            results.append(reply if reply is not None else ("*", [("$", m) for m in sorted(members)]))
        self._check(label, f"SSCAN {fmt_args([key])} 0.. (full iteration, union of members) " + fmt_args(opts),
                    EXACT, *results)
        for side in (0, 1):
            for _ in range(max(steps_by_side) - steps_by_side[side]):
                conn = self.conns[label][side]
                conn.send(("SSCAN", key, 0) + tuple(opts))
                conn.read()
        return results

    def zscan_all(self, label, key, *opts, ordered=False):
        """ZSCAN key from cursor 0 to 0 on each server; compares the unions
        of (member, score) pairs (cursors are implementation-defined; a
        skiplist's dict returns members in hash order, maybe twice) or the
        errors; with ordered (a listpack-encoded set: Redis returns it whole
        in one call, in score order), the first call's reply exactly. Calls
        evened out as in hscan_all."""
        results, steps_by_side, firsts = [], [], []
        for side in (0, 1):
            conn = self.conns[label][side]
            cursor, pairs, reply, steps = b"0", set(), None, 0
            while True:
                conn.send(("ZSCAN", key, cursor) + tuple(opts))
                reply = conn.read()
                self.commands += 1
                steps += 1
                if steps == 1:
                    firsts.append(reply)
                if reply[0] != "*" or reply[1] is None or len(reply[1]) != 2 or reply[1][0][0] != "$" \
                        or reply[1][1][0] != "*" or reply[1][1][1] is None or len(reply[1][1][1]) % 2:
                    break
                page = reply[1][1][1]
                pairs.update(zip((x[1] for x in page[0::2]), (x[1] for x in page[1::2])))
                cursor = reply[1][0][1]
                if cursor == b"0" or steps > 10000:
                    reply = None
                    break
            steps_by_side.append(steps)
            results.append(reply if reply is not None else
                           ("*", [x for kv in sorted(pairs) for x in (("$", kv[0]), ("$", kv[1]))]))
        if ordered:
            self._check(label, f"ZSCAN {fmt_args([key])} 0 " + fmt_args(opts) + " (a listpack: whole, in order)",
                        EXACT, *firsts)
        self._check(label, f"ZSCAN {fmt_args([key])} 0.. (full iteration, union of pairs) " + fmt_args(opts),
                    EXACT, *results)
        for side in (0, 1):
            for _ in range(max(steps_by_side) - steps_by_side[side]):
                conn = self.conns[label][side]
                conn.send(("ZSCAN", key, 0) + tuple(opts))
                conn.read()
        return results

    def events(self, label, shown):
        """For a connection subscribed (RESP2) to keyspace / keyevent
        patterns: PING both servers, collect every message that arrives
        before the PING's reply (what the commands before it published),
        and compare the two lists in order."""
        results = []
        for side in (0, 1):
            conn = self.conns[label][side]
            conn.send(("PING",))
            msgs = []
            while True:
                reply = conn.read()
                self.commands += 1
                if reply == ("*", [("$", b"pong"), ("$", b"")]) or reply[0] in ("CLOSED", "TIMEOUT", "-") \
                        or len(msgs) > 1000:
                    break
                msgs.append(reply)
            results.append(("*", msgs + [reply]))
        self._check(label, f"(keyspace events of {shown}, then PING)", EXACT, *results)
        return results

    def pipeline(self, label, cmds):
        """Several (args, mode) commands in one write to each server, then
        compared reply by reply as do() compares them: one round trip for
        the lot. Tracks no MULTI state: not for MULTI, EXEC, DISCARD, RESET."""
        ca, cb = self.conns[label]
        data = b"".join(encode(args) for args, _ in cmds)
        ca.send_raw(data)
        cb.send_raw(data)
        out = []
        for args, mode in cmds:
            ra, rb = ca.read(), cb.read()
            self.commands += 1
            self._check(label, fmt_args(args), mode, ra, rb)
            out.append((ra, rb))
        return out

    def sleep(self, seconds, why=""):
        self.history.append(("--", f"(sleep {seconds * 1000:.0f} ms{' ' + why if why else ''})", None, None))
        time.sleep(seconds)

    def note(self, text):
        self.history.append(("--", f"({text})", None, None))

    # ---- comparison ----
    def _check(self, label, shown, mode, ra, rb):
        # No reply in time is never a match, even from both (a command that
        # blocked on both servers): after it, both connections only answer
        # "closed", alike.
        ok = same(mode, ra, rb) and ra[0] != "TIMEOUT" and rb[0] != "TIMEOUT"
        if ok:
            self.history.append((label, shown, ra, rb))
            return
        self._fail(label, shown, ra, rb, mode)

    def _fail(self, label, shown, ra, rb, mode=EXACT):
        lines = [f"DIVERGENCE in {self.context}"]
        lines.append(f"  preceding commands (client: command -> {self.names[0]} reply"
                     f" [/ {self.names[1]} reply if not identical]):")
        for h_label, h_shown, h_a, h_b in self.history:
            if h_a is None:
                lines.append(f"    {h_shown}")
            elif h_a == h_b:
                lines.append(f"    {h_label}: {h_shown} -> {fmt(h_a, 200)}")
            else:
                lines.append(f"    {h_label}: {h_shown} -> {fmt(h_a, 200)} / {fmt(h_b, 200)}")
        lines.append(f"  command   {label}: {shown}   (compared as {mode if isinstance(mode, str) else getattr(mode, '__name__', None) or mode[0]})")
        lines.append(f"  {self.names[0]:>8}: {fmt(ra)}")
        lines.append(f"  {self.names[1]:>8}: {fmt(rb)}")
        if self.keep_going and self.on_divergence:
            self.on_divergence("\n".join(lines), (shown, ra, rb))
            self.history.append((label, shown + "   <-- DIVERGED", ra, rb))
            return
        raise Divergence("\n".join(lines), (shown, ra, rb))
