"""Random stream commands for the differential test's sequences (a mixin of
differential_gen.Gen): XADD with every trimming form, XRANGE / XREVRANGE,
XLEN, XDEL, XTRIM, XSETID, XREAD and XREADGROUP (not blocking, or BLOCK
inside MULTI, where neither server waits), XGROUP in all its forms, XACK,
XPENDING's summary, XCLAIM, XAUTOCLAIM and XINFO GROUPS, over the same small
keyspace as every other type, so streams meet strings, lists and the rest
(WRONGTYPE both ways, RENAME, COPY, MOVE, EXPIRE, SORT of a stream), MULTI,
EXEC and WATCH.

Every reply is compared exactly. What would differ by the clock is never
generated: IDs are explicit ("ms-seq" or "ms-*", never "*"), min-idle times
are 0 or far beyond any idle time, consumer-group writes and XSETID are
not generated while client A may be watching (STREAM_WATCH_BLIND), XPENDING's extended form (elapsed times),
XINFO STREAM (Redis's radix-tree node counts) and XINFO CONSUMERS (idle
times) are left to streams_test.py, which compares everything else in them.
IDs come from one counter for the whole sequence that only grows, so most
XADDs succeed on any key; a few reuse an old ID or a bad one, for the
errors.
"""

STREAM_FOCUS_SHARE = 0.25
STREAM_FOCUS = 10
GROUPS = [b"g1", b"g2", b"g1", b"grp\x00"]
CONSUMERS = [b"c1", b"c2", b"c3", b"c1", b""]
STREAM_FIELDS = [b"f", b"g", b"name", b"", b"bin\x00\xff"]
STREAM_VALUES = [b"1", b"2", b"v", b"", b"hello", b"-5"]
BAD_IDS = ["abc", "0-0", "-1", "1-x", "18446744073709551616", "1-2-3", "", "+", "-"]
COUNTS = [0, 1, 1, 2, 3, 5, 10, -1, "abc"]
TRIM_THRESHOLDS = [0, 1, 2, 3, 5, 10, 100, -1, "x"]


class StreamGen:
    """Needs self.rng, self.key(), self.name(), self.case(), self.in_multi."""

    STREAM_GENERATORS = {"g_xadd", "g_xrange", "g_xlen", "g_xdel", "g_xtrim", "g_xsetid", "g_xread",
                         "g_xreadgroup", "g_xgroup", "g_xack", "g_xpending", "g_xclaim", "g_xautoclaim",
                         "g_xinfo"}
    # Writes Redis 7.0 makes without telling WATCH (no signalModifiedKey):
    # every consumer-group change and XSETID. tmkv's WATCH sees them (a new
    # version of the key), so they are not generated while client A may be
    # watching (INTENTIONAL_DIFFERENCES).
    STREAM_WATCH_BLIND = {"g_xgroup", "g_xreadgroup", "g_xack", "g_xclaim", "g_xautoclaim", "g_xsetid"}
    STREAM_WEIGHTS = [("g_xadd", 12), ("g_xrange", 5), ("g_xlen", 2), ("g_xdel", 3), ("g_xtrim", 2),
                      ("g_xsetid", 1), ("g_xread", 4), ("g_xreadgroup", 5), ("g_xgroup", 4), ("g_xack", 3),
                      ("g_xpending", 2), ("g_xclaim", 2), ("g_xautoclaim", 2), ("g_xinfo", 2)]

    # ---- DUMP and RESTORE ----
    def check_restored_stream(self, label, key):
        """What a RESTORE left at key when it is a stream (the dump step's
        check_restored in differential_gen.py calls this; DUMP's bytes are
        each server's own, so, as for every type, a payload is compared by
        what it restores to, on both servers): its entries, its groups'
        counters and each group's PEL summary, all exact. XINFO STREAM
        (Redis's radix-tree counts) and the PEL's times are left to
        streams_test.py (7), which compares them too, across servers.
        One difference can follow such a restore (docs/ARCHITECTURE.md,
        "Streams"): tmkv's payload carries no deleted
        entries, so Redis restoring it counts fewer appends in the last
        node than tmkv did, and opens the next node later; that shows only
        once a key restored so has had about 100 more appends and is
        trimmed with "~", which these short sequences rarely reach."""
        self.r.do(label, "XRANGE", key, "-", "+")
        self.r.do(label, "XINFO", "GROUPS", key)
        for group in dict.fromkeys(GROUPS):
            self.r.do(label, "XPENDING", key, group)

    # ---- IDs ----
    def _xstate(self):
        if not hasattr(self, "_xms"):
            self._xms = 1
            self._xids = ["1-0"]
        return self

    def new_xid(self):
        """An ID past every one used so far (or its "ms-*" form)."""
        self._xstate()
        self._xms += self.rng.choice([0, 1, 1, 2, 5])
        seq = self.rng.randint(1, 3) if self.rng.random() < 0.5 else 0
        xid = f"{self._xms}-{seq}"
        self._xms += 1 if seq == 0 else 0  # the next one is greater either way
        self._xids = (self._xids + [xid])[-24:]
        return xid

    def old_xid(self):
        self._xstate()
        return self.rng.choice(self._xids)

    def any_xid(self):
        self._xstate()
        x = self.rng.random()
        if x < 0.7:
            return self.old_xid()
        if x < 0.8:
            return str(self.rng.choice([0, 1, self._xms]))
        if x < 0.9:
            return f"{self._xms + 100}-0"
        return self.rng.choice(BAD_IDS)

    def range_bound(self):
        x = self.rng.random()
        if x < 0.35:
            return self.rng.choice(["-", "+"])
        if x < 0.5:
            return "(" + self.old_xid()
        if x < 0.55:
            return self.rng.choice(["(-", "(+", "(0-0", "(18446744073709551615-18446744073709551615"])
        return self.any_xid()

    def stream_fields(self):
        out = []
        for _ in range(self.rng.randint(1, 3)):
            out += [self.rng.choice(STREAM_FIELDS), self.rng.choice(STREAM_VALUES)]
        return out

    def trim_clause(self):
        kind = self.case(self.rng.choice(["MAXLEN", "MINID"]))
        out = [kind]
        op = self.rng.choice([None, None, "=", "~"])
        if op:
            out.append(op)
        out.append(self.rng.choice(TRIM_THRESHOLDS) if kind.upper() == "MAXLEN" else self.any_xid())
        if self.rng.random() < 0.2:
            out += [self.case("LIMIT"), self.rng.choice([0, 1, 5, 100, -1])]
        return out

    # ---- generators ----
    def g_xadd(self):
        args = [self.name("xadd"), self.key()]
        if self.rng.random() < 0.06:
            args.append(self.case("NOMKSTREAM"))
        if self.rng.random() < 0.2:
            args += self.trim_clause()
        x = self.rng.random()
        self._xstate()
        if x < 0.8:
            args.append(self.new_xid())
        elif x < 0.88:
            args.append(f"{self._xms}-*")
        elif x < 0.95:
            args.append(self.old_xid())
        else:
            args.append(self.rng.choice(BAD_IDS))
        args += self.stream_fields()
        if self.rng.random() < 0.03:
            args.append(b"odd")
        return [(args, "exact")]

    def g_xrange(self):
        cmd = self.rng.choice(["xrange", "xrevrange"])
        args = [self.name(cmd), self.key(), self.range_bound(), self.range_bound()]
        if self.rng.random() < 0.3:
            args += [self.case("COUNT"), self.rng.choice(COUNTS)]
        return [(args, "exact")]

    def g_xlen(self):
        return [([self.name("xlen"), self.key()], "exact")]

    def g_xdel(self):
        return [([self.name("xdel"), self.key()] + [self.any_xid() for _ in range(self.rng.randint(1, 3))], "exact")]

    def g_xtrim(self):
        return [([self.name("xtrim"), self.key()] + self.trim_clause(), "exact")]

    def g_xsetid(self):
        args = [self.name("xsetid"), self.key(), self.rng.choice([self.new_xid(), self.old_xid(), self.any_xid()])]
        if self.rng.random() < 0.3:
            args += [self.case("ENTRIESADDED"), self.rng.choice([0, 1, 5, 100, -1])]
        if self.rng.random() < 0.3:
            args += [self.case("MAXDELETEDID"), self.any_xid()]
        return [(args, "exact")]

    def read_ids(self, keys, group):
        out = []
        for _ in keys:
            x = self.rng.random()
            if group and x < 0.6:
                out.append(">")
            elif not group and x < 0.25:
                out.append("$")
            elif x < 0.75:
                out.append(self.rng.choice(["0", "0-0"]))
            else:
                out.append(self.any_xid())
        return out

    def read_options(self):
        out = []
        if self.rng.random() < 0.4:
            out += [self.case("COUNT"), self.rng.choice(COUNTS)]
        if self.in_multi and self.rng.random() < 0.3:
            out += [self.case("BLOCK"), self.rng.choice([0, 10])]  # inside MULTI: never waits
        return out

    def g_xread(self):
        keys = [self.key() for _ in range(self.rng.randint(1, 2))]
        args = [self.name("xread")] + self.read_options() + [self.case("STREAMS")] + keys + self.read_ids(keys, False)
        if self.rng.random() < 0.03:
            args.pop()  # unbalanced
        return [(args, "exact")]

    def g_xreadgroup(self):
        keys = [self.key() for _ in range(self.rng.randint(1, 2))]
        args = [self.name("xreadgroup"), self.case("GROUP"), self.rng.choice(GROUPS), self.rng.choice(CONSUMERS)]
        args += self.read_options()
        if self.rng.random() < 0.2:
            args.append(self.case("NOACK"))
        args += [self.case("STREAMS")] + keys + self.read_ids(keys, True)
        return [(args, "exact")]

    def g_xgroup(self):
        sub = self.rng.choice(["create", "create", "create", "setid", "destroy", "createconsumer", "delconsumer"])
        args = [self.name("xgroup"), self.case(sub.upper()), self.key(), self.rng.choice(GROUPS)]
        if sub in ("create", "setid"):
            args.append(self.rng.choice(["$", "0", self.old_xid(), self.any_xid()]))
            if sub == "create" and self.rng.random() < 0.4:
                args.append(self.case("MKSTREAM"))
            if self.rng.random() < 0.2:
                args += [self.case("ENTRIESREAD"), self.rng.choice([0, 1, 3, -1, -2])]
        elif sub in ("createconsumer", "delconsumer"):
            args.append(self.rng.choice(CONSUMERS))
        return [(args, "exact")]

    def g_xack(self):
        args = [self.name("xack"), self.key(), self.rng.choice(GROUPS)]
        return [(args + [self.any_xid() for _ in range(self.rng.randint(1, 3))], "exact")]

    def g_xpending(self):
        return [([self.name("xpending"), self.key(), self.rng.choice(GROUPS)], "exact")]

    def min_idle(self):
        return self.rng.choice([0, 0, 0, 100000000, "abc", -5])

    def g_xclaim(self):
        args = [self.name("xclaim"), self.key(), self.rng.choice(GROUPS), self.rng.choice(CONSUMERS), self.min_idle()]
        args += [self.old_xid() for _ in range(self.rng.randint(1, 3))]
        for opt in ("JUSTID", "FORCE", "RETRYCOUNT", "LASTID", "IDLE"):
            if self.rng.random() < 0.15:
                args.append(self.case(opt))
                if opt == "RETRYCOUNT":
                    args.append(self.rng.choice([0, 3, "x"]))
                elif opt == "LASTID":
                    args.append(self.any_xid())
                elif opt == "IDLE":
                    args.append(self.rng.choice([0, 1000000000]))
        return [(args, "exact")]

    def g_xautoclaim(self):
        args = [self.name("xautoclaim"), self.key(), self.rng.choice(GROUPS), self.rng.choice(CONSUMERS),
                self.min_idle(), self.rng.choice(["0", "0-0", "-", self.old_xid(), "(" + self.old_xid()])]
        if self.rng.random() < 0.4:
            args += [self.case("COUNT"), self.rng.choice([1, 2, 10, 0, -1])]
        if self.rng.random() < 0.2:
            args.append(self.case("JUSTID"))
        return [(args, "exact")]

    def g_xinfo(self):
        return [([self.name("xinfo"), self.case("GROUPS"), self.key()], "exact")]
