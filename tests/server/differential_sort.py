"""Differential scenarios for SORT and SORT_RO (server/cmd_sort.cc): every
option and their combinations on lists, sets and sorted sets, BY and GET
patterns (strings, hash fields, '#', missing and wrong-type keys, NUL bytes),
numeric and ALPHA order, LIMIT's edges, STORE, errors, RESP3, MULTI / EXEC,
scripts, keyspace events and large inputs. Registered into
differential_scenarios.SCENARIOS by importing this module.

What is compared other than exactly, and why:
  * BY nosort over a set that Redis keeps as a hashtable: the order is the
    set's iteration order, which differs between the servers (an intset
    lists ascending on both and is compared exactly); the whole range is
    compared as a multiset, a range that LIMIT cuts by reply type only.
  * ALPHA BY with equal (or missing) weights over a sorted set (or a
    hashtable set): ties stay in the order the members were read, Redis's
    hash-table order; compared as multisets over the whole range, by reply
    type where LIMIT picks some of them. Over a list or an intset the order
    is the same on both servers (a full sort is glibc's stable merge sort, a
    LIMITed one Redis's partial quicksort, whose steps tmkv takes) and is
    compared exactly.
  * Redis 7.0 does not clear errno before converting a weight, so after one
    conversion overflows or underflows (ERANGE) its later numeric sorts of
    non-integer strings fail until a connection is accepted; tmkv does not
    copy that bug. Every case that makes an ERANGE is followed by opening a
    connection (reopen_after_erange), which resets Redis's errno.
"""
from differential_core import SAME_TYPE, SORTED, TTL_S
from differential_resp import fmt_args
from differential_scenarios import SLEEP, fresh, scenario


def reopen_after_erange(r):
    """A fresh connection pair: Redis's accept loop ends in EAGAIN, which
    clears the ERANGE its SORT left in errno (see the module's docstring)."""
    r.open("Z")
    r.close("Z")


def setup_sources(r):
    """A list with duplicates, an intset, a hashtable set, a sorted set with
    equal scores, and weights / data in strings and hashes."""
    r.do("A", "RPUSH", "l", 3, 10, 1, 2, 10, "-5", 7)
    r.do("A", "SADD", "si", 30, 4, 100, "-2", 0, 17)
    r.do("A", "SADD", "sh", "pear", "apple", "fig", "kiwi", "banana", "cherry")
    r.do("A", "ZADD", "z", 5, "e", 1, "a", 3, "c", 3, "b", 2, "d", 9, "x")
    r.do("A", "ZADD", "zn", 1, "30", 2, "4", 3, "100", 4, "-2")
    for e, w in ((3, 1), (10, 5), (1, 9), (2, 0), (7, 2), (30, 3), (4, 6), (100, 8), (0, 4)):
        r.do("A", "SET", f"w_{e}", w)
        r.do("A", "SET", f"d_{e}", f"data-{e}")
        r.do("A", "HSET", f"h_{e}", "w", 100 - w, "name", f"n{e}", "f*", f"star{e}")
    for e, w in (("pear", "p3"), ("apple", "a9"), ("fig", "f1"), ("kiwi", "k7"), ("banana", "b2"),
                 ("cherry", "c4")):
        r.do("A", "SET", f"w_{e}", w)
        r.do("A", "HSET", f"h_{e}", "w", w[::-1], "name", e.upper())
    for e, w in (("a", 4), ("b", 2), ("c", 6), ("d", 1), ("e", 5), ("x", 3)):
        r.do("A", "SET", f"w_{e}", w)
        r.do("A", "SET", f"d_{e}", e * 3)


@scenario
def sort_options_matrix(r):
    """Every combination of ASC/DESC, ALPHA, LIMIT, BY (a weight key, a hash
    field, nosort) and GET on a list, an intset, a hashtable set (whose BY
    nosort order is unspecified: see the docstring) and sorted sets; SORT and
    SORT_RO alike."""
    fresh(r)
    setup_sources(r)
    orders = ([], ["DESC"], ["ASC"], ["ALPHA"], ["ALPHA", "DESC"], ["DESC", "ALPHA"])
    limits = ([], ["LIMIT", 0, 3], ["LIMIT", 2, 2], ["LIMIT", 1, -1], ["LIMIT", 5, 100], ["LIMIT", 0, 0])
    bys = ([], ["BY", "w_*"], ["BY", "h_*->w"], ["BY", "nosort"])
    gets = ([], ["GET", "#"], ["GET", "d_*", "GET", "#"], ["GET", "h_*->name"])
    # ALPHA BY leaves equal weights (here: missing ones) in the order the
    # elements were read, or where its partial quicksort puts them: the same
    # for a list and an intset on both servers (si's ties compared exactly),
    # a sorted set's members in Redis's hash-table order (z by h_*->w: all
    # tied; a multiset, or by type where LIMIT picks some of them).
    ties = {("z", "h_*->w")}
    for cmd in ("SORT", "SORT_RO"):
        for key in ("l", "si", "sh", "z", "zn"):
            for by in bys:
                for order in orders:
                    for limit in limits:
                        for get in gets:
                            mode = "exact"
                            if key == "sh" and by == ["BY", "nosort"]:
                                mode = SORTED if not limit else SAME_TYPE
                            elif "ALPHA" in order and by and (key, by[1]) in ties:
                                if limit:
                                    mode = SAME_TYPE
                                elif key == "z":
                                    mode = SORTED
                            r.do("A", cmd, key, *by, *limit, *get, *order, mode=mode)


@scenario
def sort_patterns(r):
    """BY and GET patterns: '#', no '*', a hash field ('->' with and without a
    name after it, before the '*'), a '*' inside the field name, missing keys
    and fields, keys of other types (nothing, never WRONGTYPE), NUL bytes
    (Redis reads patterns as C strings), only the first '*' replaced, an
    element holding '*'; missing weights (0, or first under ALPHA)."""
    fresh(r)
    setup_sources(r)
    r.do("A", "RPUSH", "m", 3, 10, 1, 2, 7, 99, "x*y")
    r.do("A", "LPUSH", "w_99", "list")  # a weight key of the wrong type
    r.do("A", "SADD", "d_7", "set")
    r.do("A", "SET", "h_2", "string, not a hash")
    r.do("A", "SET", "w_x*y", 4)
    r.do("A", "SET", "d_x*y", "starry")
    r.do("A", "SET", b"d_3\x00z", "after-nul")
    r.do("A", "SET", "h_3->", "arrow-at-end")
    r.do("A", "SET", "h->3", "arrow-before")
    r.do("A", "SET", "w_3_w_*", "double")
    r.do("A", "HSET", "hh_3", b"f\x00g", "nul-field", "w", 1)
    for p in ("#", "d_*", "nostar", "h_*->name", "h_*->", "h->*", "h_*->f*", "h_*->missing", "w_*_w_*", "*",
              b"d_*\x00z", b"d_\x00*", b"#\x00tail", b"hh_*->f\x00g", b"h_*->\x00x", "##", "*->w", "d_*->name"):
        r.do("A", "SORT", "m", "GET", p)
        r.do("A", "SORT", "m", "BY", p)
        r.do("A", "SORT", "m", "BY", p, "ALPHA", "GET", "#", "GET", p)
        r.do("A", "SORT", "m", "BY", p, "LIMIT", 1, 3, "GET", p, "GET", "#")
        r.do("A", "SORT", "m", "BY", p, "DESC", "GET", p, "STORE", "dst")
        r.do("A", "LRANGE", "dst", 0, -1)
        reopen_after_erange(r)
    # Weights: missing ones sort as 0 (numeric) or first (ALPHA); ties in a
    # list's whole range keep its order; a numeric tie compares elements.
    r.do("A", "RPUSH", "t", "b", "a", "d", "c", "e", "f")
    for e, w in (("a", 2), ("b", 1), ("c", 2), ("d", 1)):
        r.do("A", "SET", f"tw_{e}", w)
    for args in (["BY", "tw_*"], ["BY", "tw_*", "DESC"], ["BY", "tw_*", "ALPHA"], ["BY", "tw_*", "ALPHA", "DESC"],
                 ["BY", "tw_*", "ALPHA", "STORE", "ts"], ["BY", "tw_*", "ALPHA", "DESC", "STORE", "ts"],
                 ["BY", "nokey_*"], ["BY", "nokey_*", "ALPHA"], ["BY", "nokey_*", "DESC", "ALPHA"],
                 ["BY", "nokey_*", "DESC"], ["BY", "tw_*", "GET", "tw_*", "GET", "#"]):
        r.do("A", "SORT", "t", *args)
        if "STORE" in args:
            r.do("A", "LRANGE", "ts", 0, -1)
    # ALPHA BY ties with a LIMIT: Redis's partial quicksort decides their
    # order (tmkv takes the same steps); then over a longer list, where it
    # does more than an insertion sort (fewer than 7 elements), which keeps
    # ties in order.
    for args in (["LIMIT", 0, 2], ["LIMIT", 0, 4], ["LIMIT", 2, 2], ["LIMIT", 1, 5], ["LIMIT", 1, 5, "DESC"]):
        r.do("A", "SORT", "t", "BY", "tw_*", "ALPHA", *args)
    r.do("A", "RPUSH", "tl", *[f"e{i}" for i in range(60)])
    for i in range(0, 60, 2):
        r.do("A", "SET", f"tlw_e{i}", "abcde"[i % 5])
    for args in (["LIMIT", 0, 10], ["LIMIT", 12, 12], ["LIMIT", 30, 100], ["LIMIT", 5, 1], ["LIMIT", 0, 59],
                 ["LIMIT", 1, 59], ["LIMIT", 0, 60]):
        for extra in ([], ["DESC"], ["STORE", "tls"], ["DESC", "GET", "tlw_*", "GET", "#"]):
            r.do("A", "SORT", "tl", "BY", "tlw_*", "ALPHA", *args, *extra)
            r.do("A", "LRANGE", "tls", 0, -1)
            r.do("A", "SORT", "tl", "BY", "tlw_*", *args, *extra)
    # A set and a sorted set sorted by weights that are all distinct.
    r.do("A", "SORT", "sh", "BY", "w_*", "ALPHA", "GET", "h_*->name", "GET", "#")
    r.do("A", "SORT", "sh", "BY", "h_*->w", "ALPHA", "DESC", "LIMIT", 1, 3)
    r.do("A", "SORT", "z", "BY", "w_*", "GET", "d_*")
    r.do("A", "SORT", "z", "BY", "w_*", "DESC", "LIMIT", 1, 2, "GET", "#", "GET", "w_*")
    # Expired weight and data keys are missing.
    r.do("A", "SET", "w_1", 100, "PX", 20)
    r.do("A", "SET", "d_1", "soon gone", "PX", 20)
    r.sleep(SLEEP, "w_1 and d_1 expire")
    r.do("A", "SORT", "l", "BY", "w_*", "GET", "d_*")
    r.do("A", "EXISTS", "w_1", "d_1")


@scenario
def sort_numbers(r):
    """Numeric weights as Redis converts them (strtod over the C string):
    spaces, hex, inf, -0, empty strings, NUL bytes, exponents; the errors
    (trailing bytes, NaN, overflow, underflow) on elements and on weights,
    after which nothing is stored; ties between equal numbers compare the
    elements byte by byte, ascending and descending."""
    fresh(r)
    r.do("A", "RPUSH", "ok", "1", "", "  2", "0x10", "-0", "0", "inf", "-inf", "1e308", "+3", "1.0", "01", "1e0",
         "0.1", "-infinity", "INF", "0x1p3", b"3\x00abc", "\t4", "\n5", "2.50", "2.5")
    for args in ([], ["DESC"], ["LIMIT", 3, 5], ["DESC", "LIMIT", 0, 4], ["STORE", "okd"]):
        r.do("A", "SORT", "ok", *args)
    r.do("A", "LRANGE", "okd", 0, -1)
    for bad in ("1 ", "nan", "abc", "1x", "--1", "0x", "1e400", "-1e400", "1e-400", "4.9e-324", "2.5e-310", "NaN",
                "1,5", "1e", "."):
        r.do("A", "DEL", "b", "wb")
        r.do("A", "RPUSH", "b", "1", bad, "2")
        r.do("A", "SORT", "b")
        reopen_after_erange(r)
        r.do("A", "SORT", "b", "ALPHA")
        r.do("A", "SORT", "b", "BY", "nosort")
        r.do("A", "SET", "dst", "old")
        r.do("A", "SORT", "b", "STORE", "dst")
        reopen_after_erange(r)
        r.do("A", "GET", "dst")
        r.do("A", "SET", "wb_x", bad)
        r.do("A", "RPUSH", "wb", "x", "y")
        r.do("A", "SET", "wb_y", "3")
        r.do("A", "SORT", "wb", "BY", "wb_*")
        reopen_after_erange(r)
        r.do("A", "SORT", "wb", "BY", "wb_*", "ALPHA")
        r.do("A", "HSET", "hb_x", "f", bad)
        r.do("A", "SORT", "wb", "BY", "hb_*->f", "GET", "#")
        reopen_after_erange(r)
    # Sets and sorted sets of numbers: ties broken by the members' bytes.
    r.do("A", "SADD", "ns", "1", "1.0", "01", "+1", "1e0", "0.5", "-0", "0", "2")
    r.do("A", "ZADD", "nz", 0, "1", 0, "1.0", 0, "01", 9, "+1", 3, "1e0", 1, "0.5", 0, "-0", 0, "0")
    for key in ("ns", "nz"):
        for args in ([], ["DESC"], ["LIMIT", 2, 3], ["DESC", "LIMIT", 1, 4], ["ALPHA"], ["ALPHA", "DESC"]):
            r.do("A", "SORT", key, *args)
            r.do("A", "SORT_RO", key, *args)
    r.do("A", "SADD", "intset", 5, "-3", 12, 0, 7, "-100")
    for args in ([], ["DESC"], ["ALPHA"], ["BY", "nosort"], ["BY", "nosort", "DESC"], ["BY", "nosort", "LIMIT", 1, 3],
                 ["BY", "nosort", "STORE", "is"], ["ALPHA", "LIMIT", 0, 2]):
        r.do("A", "SORT", "intset", *args)
    r.do("A", "LRANGE", "is", 0, -1)


@scenario
def sort_limits(r):
    """LIMIT: negative offsets and counts, zero, past the end, the extremes of
    a 64-bit integer, non-integers, too few arguments, repeated (the last
    wins); on every type, sorted and BY nosort (a sorted set's and a list's
    own order, DESC from the tail), and on a missing key."""
    fresh(r)
    r.do("A", "RPUSH", "l", 5, 3, 9, 1, 7, 2)
    r.do("A", "ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e", 6, "f")
    r.do("A", "SADD", "s", 5, 3, 9, 1, 7, 2)
    big, small = "9223372036854775807", "-9223372036854775808"
    limits = [(0, -1), (-1, 2), (-5, -5), (2, -1), (0, 0), (6, 1), (5, 1), (5, 0), (7, -1), (100, 100), (1, 1),
              (big, big), (small, small), (big, 1), (1, big), (small, 2), (2, small), (-1, -1), (3, 2)]
    for key in ("l", "z", "s", "missing"):
        for start, count in limits:
            # (s is an intset: its own order, BY nosort, is ascending on both.)
            for extra in ([], ["DESC"], ["BY", "nosort"], ["BY", "nosort", "DESC"], ["ALPHA", "DESC"]):
                r.do("A", "SORT", key, "LIMIT", start, count, *extra)
            r.do("A", "SORT", key, "LIMIT", start, count, "BY", "nosort", "STORE", "dst")
            r.do("A", "LRANGE", "dst", 0, -1)
            r.do("A", "EXISTS", "dst")
    for args in (["LIMIT"], ["LIMIT", 1], ["LIMIT", "a", 1], ["LIMIT", 1, "b"], ["LIMIT", "1.5", 2],
                 ["LIMIT", "99999999999999999999", 1], ["LIMIT", 0, 1, "LIMIT", 2, 2], ["LIMIT", " 1", 2],
                 ["DESC", "LIMIT", 1], ["LIMIT", 1, 2, "FOO"]):
        r.do("A", "SORT", "l", *args)
        r.do("A", "SORT", "str_missing", *args)


@scenario
def sort_store(r):
    """STORE: the result becomes a list (LRANGE, TYPE, TTL: any old value and
    its TTL replaced), an empty result deletes the destination, the source
    as its own destination, GET values that name nothing stored as empty
    strings, the last STORE wins, ALPHA comparing whole strings under
    STORE (C strings otherwise), a set BY nosort sorted ALPHA under STORE, a
    client blocked on the destination served."""
    fresh(r)
    r.do("A", "RPUSH", "l", 3, 1, 2)
    r.do("A", "SADD", "sh", "b", "a", "c", "10", "2")
    r.do("A", "ZADD", "z", 1, "x", 2, "y")
    r.do("A", "SET", "d_1", "one")
    r.do("A", "SET", "str", "v", "EX", 1000)
    r.do("A", "HSET", "hash", "f", "v")
    for dst in ("new", "str", "hash", "l2", "z2"):
        if dst == "l2":
            r.do("A", "RPUSH", "l2", "old")
        if dst == "z2":
            r.do("A", "ZADD", "z2", 1, "old")
        r.do("A", "SORT", "l", "STORE", dst)
        r.do("A", "TYPE", dst)
        r.do("A", "TTL", dst, mode=TTL_S)
        r.do("A", "LRANGE", dst, 0, -1)
    r.do("A", "EXPIRE", "new", 1000)
    r.do("A", "SORT", "l", "DESC", "GET", "d_*", "GET", "#", "STORE", "new")
    r.do("A", "LRANGE", "new", 0, -1)
    r.do("A", "TTL", "new", mode=TTL_S)
    r.do("A", "SORT", "l", "LIMIT", 0, 0, "STORE", "new")
    r.do("A", "EXISTS", "new")
    r.do("A", "SORT", "missing", "STORE", "new")
    r.do("A", "SORT", "missing", "STORE", "l2")
    r.do("A", "EXISTS", "l2")
    r.do("A", "SORT", "l", "STORE", "l", "DESC")
    r.do("A", "LRANGE", "l", 0, -1)
    r.do("A", "SORT", "l", "STORE", "a", "STORE", "b")
    r.do("A", "EXISTS", "a", "b")
    r.do("A", "SORT", "sh", "BY", "nosort", "STORE", "s1")
    r.do("A", "LRANGE", "s1", 0, -1)
    r.do("A", "SORT", "sh", "BY", "nosort", "DESC", "LIMIT", 1, 2, "STORE", "s1")
    r.do("A", "LRANGE", "s1", 0, -1)
    r.do("A", "SORT", "sh", "BY", "nosort", "GET", "#", "GET", "nokey_*", "STORE", "s1")
    r.do("A", "LRANGE", "s1", 0, -1)
    r.do("A", "SORT", "z", "BY", "nosort", "DESC", "STORE", "z3")
    r.do("A", "LRANGE", "z3", 0, -1)
    r.do("A", "SORT", "sh", "ALPHA", "STORE", "s2")
    r.do("A", "SORT", "sh", "BY", "nosort", "BY", "w_*", "STORE", "s3")
    r.do("A", "LRANGE", "s3", 0, -1)
    # C strings vs whole strings: "a\0z", "a\0b" and "a" are equal to ALPHA
    # without STORE (ties keep the list's order) and distinct with it.
    r.do("A", "RPUSH", "nul", "b", b"a\x00z", "a", b"a\x00b", b"\xc3\xa9", b"\xff", b"\x80", "A")
    for args in (["ALPHA"], ["ALPHA", "DESC"], ["ALPHA", "STORE", "nd"], ["ALPHA", "DESC", "STORE", "nd"]):
        r.do("A", "SORT", "nul", *args)
        r.do("A", "LRANGE", "nd", 0, -1)
    for e, w in (("b", b"w\x00z"), (b"a\x00z", b"w\x00a"), ("a", "w"), (b"a\x00b", "v")):
        r.do("A", "SET", b"nw_" + (e if isinstance(e, bytes) else e.encode()), w)
    for args in (["BY", "nw_*", "ALPHA"], ["BY", "nw_*", "ALPHA", "STORE", "nd"], ["BY", "nw_*", "ALPHA", "DESC"],
                 ["BY", "nw_*", "ALPHA", "DESC", "STORE", "nd"]):
        r.do("A", "SORT", "nul", *args)
        r.do("A", "LRANGE", "nd", 0, -1)
    # A client blocked on the destination is served by the stored list.
    r.do("A", "DEL", "q")
    r.conns["B"][0].send(("BLPOP", "q", 5))
    r.conns["B"][1].send(("BLPOP", "q", 5))
    r.sleep(0.1, "B blocks on q")
    r.do("A", "SORT", "l", "STORE", "q")
    ra, rb = r.conns["B"][0].read(), r.conns["B"][1].read()
    r.commands += 1
    r._check("B", "BLPOP q 5 (blocked, then served by SORT ... STORE q)", "exact", ra, rb)
    r.do("A", "LRANGE", "q", 0, -1)


@scenario
def sort_errors_and_types(r):
    """WRONGTYPE on the sorted key (strings, hashes), options checked before
    the key (a syntax error wins and looks nothing up), SORT_RO refusing
    STORE, arity, unknown options, a missing key (empty), key names with
    odd bytes, SELECT'ed databases; COMMAND GETKEYS of SORT_RO."""
    fresh(r)
    r.do("A", "SET", "str", "x")
    r.do("A", "HSET", "h", "f", "v")
    r.do("A", "RPUSH", "l", 2, 1)
    for key in ("str", "h", "l", "missing"):
        for args in ([], ["ALPHA"], ["BY", "nosort"], ["FOO"], ["LIMIT", 1], ["STORE"], ["GET"], ["BY"],
                     ["LIMIT", "x", 1], ["STORE", "d"], ["ASC", "DESC", "ALPHA", "ALPHA"], ["get", "#", "by", "x"]):
            r.do("A", "SORT", key, *args)
            r.do("A", "SORT_RO", key, *args)
        r.do("A", "EXISTS", "d")
    r.do("A", "SORT")
    r.do("A", "SORT_RO")
    r.do("A", "sort", "l", "desc", "limit", 0, 1, "alpha")
    r.do("A", "COMMAND", "GETKEYS", "SORT_RO", "l", "BY", "w_*")
    r.do("A", "COMMAND", "GETKEYS", "SORT", "l")
    r.do("A", "SELECT", 3)
    r.do("A", "RPUSH", "l", "c", "a", "b")
    r.do("A", "SET", "w_a", 3)
    r.do("A", "SORT", "l", "BY", "w_*", "ALPHA", "STORE", "d")
    r.do("A", "LRANGE", "d", 0, -1)
    r.do("A", "SELECT", 0)
    r.do("A", "LRANGE", "d", 0, -1)
    r.do("A", "RPUSH", b"k\x00\xff", b"\x00", b"\x01", b"")
    r.do("A", "SORT", b"k\x00\xff", "ALPHA")
    r.do("A", "SORT", b"k\x00\xff")


@scenario
def sort_resp3_multi_scripts(r):
    """RESP3 (nil as '_'), MULTI / EXEC (SORT and STORE with other
    commands; a runtime error does not undo the rest), WATCH of the
    destination, and scripts: SORT and SORT_RO in EVAL, SORT refused and
    SORT_RO allowed in EVAL_RO, a set BY nosort sorted ALPHA inside a
    script (DESC too), errors through redis.call and redis.pcall."""
    fresh(r)
    r.open("C", 3)
    r.do("A", "RPUSH", "l", 3, 1, 2)
    r.do("A", "SET", "d_1", "one")
    r.do("A", "HSET", "h_2", "f", "two")
    r.do("A", "SADD", "s", "b", "a", "c", "10", "2")
    r.do("A", "ZADD", "z", 2, "x", 1, "y")
    for args in (["l", "GET", "d_*", "GET", "#", "GET", "h_*->f"], ["l", "STORE", "c3"], ["missing"],
                 ["z", "BY", "nosort", "GET", "nokey"], ["l", "LIMIT", 0, 1], ["str_missing", "STORE", "c3"]):
        r.do("C", "SORT", *args)
        r.do("C", "SORT_RO", *args)
    r.do("A", "SET", "str", "x")
    for c in (["MULTI"], ["SORT", "l", "DESC", "STORE", "m"], ["LRANGE", "m", 0, -1], ["SORT", "str"],
              ["RPUSH", "m", 0], ["SORT", "m", "GET", "d_*"], ["SORT_RO", "m", "STORE", "x"],
              ["SORT", "m", "LIMIT", 1, 2, "STORE", "m"], ["EXEC"], ["LRANGE", "m", 0, -1]):
        r.do("A", *c)
    for c in (["MULTI"], ["SORT", "l"], ["SORT", "l", "LIMIT"], ["SORT"], ["EXEC"]):
        r.do("A", *c)
    # WATCH of a destination that SORT ... STORE rewrites from another client.
    r.do("A", "WATCH", "m")
    r.do("B", "SORT", "l", "STORE", "m")
    r.do("A", "MULTI")
    r.do("A", "LRANGE", "m", 0, -1)
    r.do("A", "EXEC")
    r.do("A", "WATCH", "m")
    r.do("B", "SORT_RO", "l")
    r.do("B", "SORT", "missing", "STORE", "nothing")
    r.do("A", "MULTI")
    r.do("A", "LRANGE", "m", 0, -1)
    r.do("A", "EXEC")
    scripts = [
        ("return redis.call('sort', KEYS[1], 'by', 'nosort')", ["s"]),
        ("return redis.call('sort', KEYS[1], 'by', 'nosort', 'desc')", ["s"]),
        ("return redis.call('sort', KEYS[1], 'by', 'nosort', 'limit', 1, 2)", ["s"]),
        ("return redis.call('sort_ro', KEYS[1], 'by', 'nosort', 'desc', 'limit', 0, 3)", ["s"]),
        ("return redis.call('sort', KEYS[1], 'by', 'nosort', 'get', '#', 'get', 'd_*')", ["s"]),
        ("return redis.call('sort', KEYS[1], 'alpha')", ["s"]),
        ("return redis.call('sort', KEYS[1], 'get', 'd_*', 'get', '#')", ["l"]),
        ("return redis.call('sort', KEYS[1], 'by', 'nosort', 'store', KEYS[2])", ["s", "sd"]),
        ("return redis.call('lrange', KEYS[1], 0, -1)", ["sd"]),
        ("return redis.call('sort', KEYS[1], 'desc', 'store', KEYS[2])", ["l", "ld"]),
        ("return redis.call('lrange', KEYS[1], 0, -1)", ["ld"]),
        ("return redis.pcall('sort', KEYS[1])", ["s"]),
        ("return redis.call('sort', KEYS[1])", ["s"]),
        ("return redis.pcall('sort', KEYS[1], 'limit', 1)", ["l"]),
        ("return redis.pcall('sort', KEYS[1])", ["str"]),
        ("return redis.call('sort_ro', KEYS[1], 'store', 'x')", ["l"]),
        ("redis.setresp(3)\nreturn redis.call('sort', KEYS[1], 'get', 'nokey', 'get', '#')", ["l"]),
        ("return redis.call('sort', KEYS[1], 'by', 'nosort')", ["z"]),
        ("return redis.call('sort', KEYS[1], 'by', 'nosort', 'desc', 'limit', 1, 1)", ["z"]),
    ]
    for body, keys in scripts:
        r.do("A", "EVAL", body, len(keys), *keys)
        r.do("C", "EVAL", body, len(keys), *keys)
        if "store" not in body:
            r.do("A", "EVAL_RO", body, len(keys), *keys)
            r.do("A", "EVAL_RO", body.replace("'sort'", "'sort_ro'"), len(keys), *keys)


@scenario
def sort_keyspace_events(r):
    """Keyspace events: 'sortstore' (class l) on STORE of a new key, over a
    list, over another type; 'del' when an empty result deletes the
    destination, nothing when it was absent; nothing for SORT_RO or SORT
    without STORE; inside MULTI / EXEC; the 'l' class only; 'new' (n) for a
    new destination; 'keymiss' (m) for every missing key a pattern names."""
    fresh(r, clients=("A", "E"))
    r.do("A", "CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        r.do("E", "PSUBSCRIBE", "__key*@0__:*")
        r.do("A", "RPUSH", "l", 3, 1, 2)
        r.do("A", "SET", "str", "x")
        r.do("A", "SET", "d_1", "one")
        r.events("E", "setup")
        cases = [
            ["SORT", "l", "STORE", "dst"], ["SORT", "l", "DESC", "STORE", "dst"], ["SORT", "l", "STORE", "str"],
            ["SORT", "l", "LIMIT", 0, 0, "STORE", "dst"], ["SORT", "l", "LIMIT", 0, 0, "STORE", "dst"],
            ["SORT", "missing", "STORE", "str"], ["SORT", "l"], ["SORT_RO", "l", "GET", "d_*"],
            ["SORT", "l", "GET", "d_*", "STORE", "l"], ["SORT", "str", "STORE", "x"],
            ["SORT", "l", "LIMIT", 1, "STORE", "x"],
        ]
        for c in cases:
            r.do("A", *c)
            r.events("E", fmt_args(c))
        for c in (["MULTI"], ["SORT", "l", "STORE", "t1"], ["SORT", "t1", "LIMIT", 0, 0, "STORE", "t1"],
                  ["SORT", "l", "ALPHA", "STORE", "t2"], ["EXEC"]):
            r.do("A", *c)
        r.events("E", "MULTI ... EXEC")
        r.do("A", "CONFIG", "SET", "notify-keyspace-events", "El")
        r.do("A", "SORT", "l", "STORE", "t3")
        r.do("A", "SORT", "l", "LIMIT", 5, 5, "STORE", "t3")
        r.events("E", "the list class only")
        r.do("A", "CONFIG", "SET", "notify-keyspace-events", "Enm")
        r.do("A", "SORT", "l", "STORE", "t4")
        r.do("A", "SORT", "l", "STORE", "t4")
        r.do("A", "SORT", "l", "BY", "w_*", "GET", "d_*", "GET", "#", "GET", "h_*->f")
        r.do("A", "SORT", "l", "BY", "w_*", "GET", "d_*", "STORE", "t5")
        r.do("A", "SORT", "nokey", "BY", "w_*")
        r.events("E", "new keys and key misses")
    finally:
        r.do("A", "CONFIG", "SET", "notify-keyspace-events", "")


@scenario
def sort_large_inputs(r):
    """Large and hostile inputs: thousands of elements sorted numerically
    and ALPHA, by weights, with many GET patterns, LIMIT with huge numbers,
    STORE of a long result; a long sorted set BY nosort with LIMIT from
    either end."""
    fresh(r)
    n = 3000
    vals = [str((i * 7919) % 10007 - 5000) for i in range(n)]
    r.do("A", "RPUSH", "big", *vals)
    r.do("A", "ZADD", "bz", *[x for i in range(n) for x in (i % 97, f"m{i}")])
    r.do("A", "SADD", "bs", *[f"s{(i * 31) % 4001}" for i in range(n)])
    r.do("A", "MSET", *[x for i in range(0, n, 3) for x in (f"w_{vals[i]}", str(i % 50))])
    for args in (["big"], ["big", "DESC"], ["big", "ALPHA"], ["big", "BY", "w_*"], ["big", "BY", "w_*", "DESC"],
                 ["big", "LIMIT", 2990, "9223372036854775807"], ["big", "LIMIT", "-9223372036854775808", 5],
                 ["big", "BY", "w_*", "LIMIT", 100, 20, "GET", "#", "GET", "w_*"],
                 ["bz", "BY", "nosort", "LIMIT", 1000, 5], ["bz", "BY", "nosort", "DESC", "LIMIT", 1000, 5],
                 ["bz", "ALPHA", "LIMIT", 0, 10], ["bs", "ALPHA"], ["bs", "ALPHA", "DESC", "LIMIT", 100, 50],
                 ["big", "STORE", "bd"], ["bz", "BY", "nosort", "STORE", "bd2"]):
        r.do("A", "SORT", *args)
    r.do("A", "LRANGE", "bd", 0, -1)
    r.do("A", "LRANGE", "bd2", 0, -1)
    r.do("A", "SORT", "big", "LIMIT", 0, 5, *(["GET", "#"] * 500))
    r.do("A", "SORT", "big", "LIMIT", 10, 3, *(["GET", "w_*"] * 300), "STORE", "many")
    r.do("A", "LLEN", "many")
    r.do("A", "LRANGE", "many", 0, 20)
