"""Seeded random command sequences for the differential test.

One sequence: two fresh client pairs A and B (RESP2, or RESP3 after HELLO 3
for some sequences), FLUSHALL, then a few dozen random commands over a small
keyspace. A may WATCH, open MULTI and queue commands (some of them bad, for
EXECABORT), EXEC or DISCARD; B runs plain commands in between, so its writes
can break A's WATCH. String, hash, set and HyperLogLog commands share the
keyspace, so each meets the others' keys (WRONGTYPE in every direction, SET
over a hash or a set, the STORE commands over anything, DUMP / RESTORE,
RENAME, COPY, MOVE and EXPIRE of hashes and sets; GET, APPEND and SETRANGE
of HyperLogLogs: their bytes compared, corrupt ones made). So do the list
commands, the blocking ones included: those never wait long (see
Gen.blocking_step), and the sorted-set commands (BZPOPMIN and friends
likewise: Gen.zblocking_step; ZRANDMEMBER, ZSCAN and the lex commands
compared as INTENTIONAL_DIFFERENCES says).

TIMING. Two servers cannot be hit at the same instant, so a random sequence
never lets a key expire on its own: every expiry it sets is either already in
the past (the key is gone at once) or far in the future. Future expiries are
chosen so their order is the same on both servers whatever the skew:
relative ones are (c * 10^6 + 1000 + n) seconds where n grows by one with
each use inside the sequence (a later relative expiry with the same c is
always later, by at least one second); absolute ones are T0 + c * 10^6 +
500000 + j seconds, T0 the sequence's start (ties between absolute ones are
exact, and so are GT/LT answers on them). Huge expiries are only ones that
are errors or in the past whatever the clock, except as absolute times
(VALID_HUGE_RELATIVE). Keys that expire in between
commands are covered by the deterministic scenarios with generous sleeps.
"""
import hashlib
import time

from differential_core import (ENCODING, HRANDFIELD, INTSET_ORDER, PAIRS, SAME_TYPE, SORTED, SPOP, SRANDMEMBER,
                               hash_pairs, hrandfield_entries, sample_members)
from differential_resp import fmt_args
from differential_stream_gen import STREAM_FOCUS, STREAM_FOCUS_SHARE, StreamGen

KEYS = [b"k0", b"k1", b"k2", b"k3", b"k4", b"k5", b"k6", b"k7", b"bin\x00\xff", b"\r\n key", b"", b"h?llo*"]
KEY_WEIGHTS = [10, 10, 8, 8, 5, 4, 3, 3, 2, 2, 1, 1]

INT_EDGE = [b"9223372036854775807", b"9223372036854775806", b"-9223372036854775808", b"-9223372036854775807",
            b"9223372036854775808", b"-9223372036854775809"]
# What PFADD makes of a new key (a sparse HyperLogLog of no element, its
# cached count stale), and a string that only starts like one: SET, MSET,
# HSET and the rest write them as any value, PFADD and friends then find a
# HyperLogLog or refuse the string (WRONGTYPE).
HLL_EMPTY = b"HYLL\x01" + b"\x00" * 10 + b"\x80\x7f\xff"
VALUES = ([b"", b"v", b"hello", b"0", b"1", b"-1", b"10", b"42", b"-100", b"  12", b"12 ", b"+5", b"007", b"-0",
           b"3.14", b"1e3", b"0.1", b"-1.5", b"1.5e308", b"inf", b"-inf", b"nan", b"0x10", b"abc\r\ndef",
           b"\x00\x01\x02\xff", b"x" * 100, b"10.50", b"5.0e3", b".5", b"1.", b"1e"] + INT_EDGE
          + [HLL_EMPTY, b"HYLL\x01garbage"])
VALUE_WEIGHTS = [3, 3, 3, 5, 5, 3, 5, 3, 2, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] \
    + [1] * len(INT_EDGE) + [1, 1]
INCRS = [b"0", b"1", b"-1", b"5", b"100", b"-7", b"abc", b"1.5", b"", b" 1", b"+1", b"01"] + INT_EDGE
FLOAT_INCRS = [b"0.1", b"1", b"-1.5", b"1e10", b"3.0e-5", b"0.2", b"10", b"-0.1", b"inf", b"-inf", b"nan", b"abc",
               b"1e308", b"5.0e3", b"0x10", b" 1", b"1 ", b"", b"1e-320", b"123456789.123456789",
               b"9223372036854775807", b"-0", b"1.7976931348623157e308", b".5", b"3"]
RANGE_OFFSETS = [0, 0, 1, 2, 3, 5, 10, -1, -2, -3, -5, -10, -100, 100, 1000, "9223372036854775807",
                 "-9223372036854775808", "abc", "1.5", ""]
KEY_PATTERNS = [b"*", b"*", b"k*", b"k?", b"k[0-3]", b"k[^0-3]", b"[a-z]*", b"*\x00*", b"h\\?llo\\*", b"h?llo*",
                b"k[", b"\\", b"", b"*[", b"k[3-0]", b"?", b"*\n*", b"bin*", b"K*", b"k[!1]", b"*1", b"k\\1"]
SELECT_DBS = [0] * 12 + [1] * 4 + [2, 15, 16, -1, "abc", "1.0", " 1", "01", "9223372036854775808"]
BAD_NUMS = ["abc", "1.5", "", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "0x10"]
# Expiry arguments that are invalid or overflow whatever the clock says.
HUGE_S = ["9223372036854775807", "9223372036854775", "9223372036854776", "-9223372036854775808",
          "-9223372036854775807", "9223370000000000", "-9223370000000000"]
HUGE_MS = ["9223372036854775807", "-9223372036854775808", "9223370000000000000", "-9223370000000000000",
           "9223372036854775806"]
# Valid as *relative* expiries (now + huge does not overflow): two of them
# set one after the other could tie or not depending on the millisecond, so
# GT/LT answers would be clock-dependent. Used only for absolute times.
VALID_HUGE_RELATIVE = {"9223370000000000", "9223370000000000000"}
UNKNOWN_NAMES = [b"foo", b"FOO", b"gett", b"notacommand", b"S3T", b"x\x00y", b"", b"getexx", b"get\r\n"]

# The share of random sequences that favour the set commands, and by how
# much (their weights multiplied).
SET_FOCUS_SHARE = 0.3
SET_FOCUS = 12
# ...and their keys: mostly four (so sets meet each other often), the rest
# rarely (WRONGTYPE from the other types still comes from everywhere).
SET_FOCUS_KEY_WEIGHTS = [12, 12, 10, 8, 2, 2, 1, 1, 1, 1, 1, 1]
# Some of the other sequences favour the HyperLogLog commands likewise (on
# the same four keys), so HyperLogLogs grow dense, get merged, and meet
# GET / APPEND / SETRANGE (which corrupt them) often enough; those string
# commands are favoured too, less.
HLL_FOCUS_SHARE = 0.2
HLL_FOCUS = 8
HLL_FOCUS_STRINGS = 3
# And some of the rest the list commands (on the same four keys), so lists
# grow long: a push of hundreds of elements now and then (LIST_BULK_SHARE of
# the pushes there, 1% elsewhere), then LINDEX, LSET, LINSERT, LREM, LPOS and
# LTRIM deep inside them; every list of the final state is compared whole
# (LLEN, LRANGE 0 -1).
LIST_FOCUS_SHARE = 0.25
LIST_FOCUS = 10
LIST_BULK_SHARE = 0.12

# HyperLogLog elements: few of them, so PFADD often adds what is there
# already (no register rises: reply 0, no write); of every kind (empty,
# binary, CRLF, integers, a long one, a key's name). Two rare ones whose
# hash raises their register to 32, the most a sparse value can hold, and
# to 35, which turns a sparse value dense whatever its size (found by
# search: about one element in 2^32).
HLL_ELEMENTS = [b"a", b"b", b"c", b"d", b"e", b"f", b"1", b"2", b"10", b"-1", b"", b"bin\x00\xff", b"\r\n",
                b"k0", b"x" * 70, b"hello", b"r7550989", b"r4510631427"]
HLL_ELEMENT_WEIGHTS = [8, 8, 6, 6, 4, 3, 4, 3, 2, 2, 2, 2, 1, 2, 1, 2, 1, 1]
# Many elements in one PFADD ("e<base>".."e<base+n-1>"): 200 keep a value
# sparse, 1000 come near hll-sparse-max-bytes (3000), 2000 make it dense;
# the bases overlap, so some add little or nothing new.
HLL_BULK_BASES = [0, 0, 100, 1000, 5000]
HLL_BULK_COUNTS = [200, 200, 500, 1000, 2000]
PFDEBUG_SUBCOMMANDS = ["encoding", "decode", "getreg", "todense"]

# List elements: few of them, so LREM, LPOS and LINSERT find what they look
# for (often several times); empty, binary, CRLF, integers (a listpack keeps
# them as integers: they must come back as the same text), a long one, a
# key's name.
LIST_ELEMENTS = [b"a", b"b", b"c", b"d", b"1", b"2", b"10", b"-1", b"", b"bin\x00\xff", b"\r\n", b"k0",
                 b"9223372036854775807", b"-0", b"1.5", b"x" * 70]
LIST_ELEMENT_WEIGHTS = [10, 8, 6, 4, 6, 4, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
# Indices (LINDEX, LSET, LRANGE, LTRIM): the ends, near them, past them, the
# 64-bit edges, and what is not an integer (list_index adds positions deep
# inside long lists).
LIST_INDICES = [0, 0, 0, 1, 1, 2, 3, 5, -1, -1, -1, -2, -3, -5, 10, 100, 1000, -100, -1000, "9223372036854775807",
                "-9223372036854775808", "abc", "1.5", "", " 1", "9223372036854775808", "0x1"]
# LPOP / RPOP counts (parsed before the key is looked up), LREM counts
# (0: every match; negative: from the tail; LONG_MIN too), LPOS's options.
LIST_POP_COUNTS = [0, 1, 1, 2, 2, 3, 5, 10, 100, 1000, "9223372036854775807", -1, "abc", "1.5", "",
                   "-9223372036854775808", "9223372036854775808", " 1", "+2"]
LREM_COUNTS = [0, 0, 1, 1, 2, -1, -1, -2, 3, -3, 100, -100, "9223372036854775807", "-9223372036854775808", "abc",
               "1.5", ""]
LPOS_RANKS = [1, 1, 2, 3, -1, -1, -2, -3, 0, 100, -100, "9223372036854775807", "-9223372036854775807",
              "-9223372036854775808", "abc", "", "1.5"]
LPOS_COUNTS = [0, 0, 1, 2, 3, 10, -1, "abc", "9223372036854775807", "-9223372036854775808"]
LPOS_MAXLENS = [0, 0, 1, 2, 3, 5, 10, 100, -1, "abc", "9223372036854775807"]
LMPOP_COUNTS = [1, 1, 2, 3, 5, 10, 100, 1000, 0, -1, "abc", "1.5", "9223372036854775807", "9223372036854775808"]
LIST_ENDS = ["LEFT", "RIGHT", "left", "right", "Left", "RiGhT"]
BAD_LIST_ENDS = ["UP", "", "lefty", "L", "0"]
# Timeouts of the blocking commands, in seconds. Valid ones (0: for ever;
# -0.0001 rounds to 0; 0x10 is 16 s; 9223372036854775 s overflows when the
# clock is added, and Redis 7.0 takes it as it comes) only where the command
# cannot wait: inside MULTI, or on keys that exist (see Gen.blocking_step,
# which otherwise pushes first, or waits SHORT_TIMEOUT now and then). Bad
# ones fail before any key is looked up (BLMPOP: after its other arguments).
BLOCK_TIMEOUTS = ["0", "0", "0", "1", "5", "0.5", "100", "1e2", "0.0001", "+1", "1.", ".5", "-0.0001", "0x10",
                  "0.01", "9223372036854775"]
BAD_TIMEOUTS = ["abc", "-1", "inf", "-inf", "1e30", "nan", "", " 1", "-0.5", "1e400", "1e4933", "1e",
                "9223372036854775808", "-9223372036854775808"]
SHORT_TIMEOUT = "0.01"
# Redis serves a blocked client's timeout in its cron (hz 10): every real
# wait costs about 100 ms. At most this many per sequence, and only this
# share of the blocking commands that would wait (the others push first).
MAX_WAITS = 1
WAIT_SHARE = 0.06

# Redis arities (see `COMMAND INFO`), for wrong-arity errors.
ARITY = {
    "ping": -1, "echo": 2, "select": 2, "exists": -2, "del": -2, "unlink": -2, "type": 2, "rename": 3,
    "renamenx": 3, "keys": 2, "scan": -2, "randomkey": 1, "copy": -3, "expire": -3, "pexpire": -3,
    "expireat": -3, "pexpireat": -3, "ttl": 2, "pttl": 2, "expiretime": 2, "pexpiretime": 2, "persist": 2, "get": 2, "set": -3, "setnx": 3,
    "setex": 4, "psetex": 4, "getset": 3, "getdel": 2, "getex": -2, "mget": -2, "mset": -3, "msetnx": -3,
    "incr": 2, "decr": 2, "incrby": 3, "decrby": 3, "incrbyfloat": 3, "append": 3, "strlen": 2,
    "getrange": 4, "setrange": 4, "multi": 1, "exec": 1, "discard": 1, "watch": -2, "unwatch": 1,
    "dbsize": 1, "flushdb": -1, "flushall": -1, "touch": -2, "move": 3, "substr": 4, "lcs": -3,
    "object": -2, "memory": -2, "dump": 2, "restore": -4, "publish": 3, "spublish": 3, "pubsub": -2,
    "setbit": 4, "getbit": 3, "bitcount": -2, "bitpos": -3, "bitop": -4, "bitfield": -2, "bitfield_ro": -2,
    "hset": -4, "hmset": -4, "hsetnx": 4, "hget": 3, "hmget": -3, "hdel": -3, "hlen": 2, "hstrlen": 3,
    "hexists": 3, "hincrby": 4, "hincrbyfloat": 4, "hgetall": 2, "hkeys": 2, "hvals": 2, "hrandfield": -2,
    "hscan": -3,
    "sadd": -3, "srem": -3, "scard": 2, "sismember": 3, "smismember": -3, "smembers": 2, "smove": 4,
    "sinter": -2, "sinterstore": -3, "sintercard": -3, "sunion": -2, "sunionstore": -3, "sdiff": -2,
    "sdiffstore": -3, "srandmember": -2, "spop": -2, "sscan": -3,
    "pfadd": -2, "pfcount": -2, "pfmerge": -2, "pfdebug": 3,
    "lpush": -3, "rpush": -3, "lpushx": -3, "rpushx": -3, "lpop": -2, "rpop": -2, "llen": 2, "lindex": 3,
    "lrange": 4, "lset": 4, "lrem": 4, "ltrim": 4, "linsert": 5, "lpos": -3, "lmove": 5, "rpoplpush": 3,
    "lmpop": -4, "blpop": -3, "brpop": -3, "blmove": 6, "brpoplpush": 4, "blmpop": -5,
    "zadd": -4, "zincrby": 4, "zrem": -3, "zcard": 2, "zscore": 3, "zmscore": -3, "zcount": 4, "zlexcount": 4,
    "zrank": 3, "zrevrank": 3, "zrange": -4, "zrevrange": -4, "zrangebyscore": -4, "zrevrangebyscore": -4,
    "zrangebylex": -4, "zrevrangebylex": -4, "zrangestore": -5, "zremrangebyrank": 4, "zremrangebyscore": 4,
    "zremrangebylex": 4, "zscan": -3, "zrandmember": -2, "zpopmin": -2, "zpopmax": -2, "zmpop": -4,
    "bzpopmin": -3, "bzpopmax": -3, "bzmpop": -5, "zunion": -3, "zinter": -3, "zdiff": -3, "zunionstore": -4,
    "zinterstore": -4, "zdiffstore": -4, "zintercard": -3,
    "geoadd": -5, "geodist": -4, "geohash": -2, "geopos": -2, "georadius": -6, "georadius_ro": -6,
    "georadiusbymember": -5, "georadiusbymember_ro": -5, "geosearch": -7, "geosearchstore": -8,
    "sort": -2, "sort_ro": -2,
}
# DUMP payloads made by redis-server 7.0 (RDB version 10): a plain string,
# an integer encoding, an LZF-compressed one ("abc" * 30); then damaged ones
# and a list's.
REDIS_PAYLOADS = [b"\x00\x05hello\n\x00cr\xdfve4 \n",
                  b"\x00\xc190\n\x00\x9d\x94\xea'\x93\xfc\x08\xb9",
                  b"\x00\xc3\x0b@Z\x03abca\xe0K\x02\x01bc\n\x00#\x806\xf9\xe2\xd0\xc7\x80",
                  # Hashes: a listpack (RDB type 16: f0 v, f1 10 as an
                  # integer entry, "" x, "bin\0\xff" "a\r\nb"), and a
                  # hashtable (type 4: f0 "x" * 100 LZF-compressed, f1 -7
                  # as an 8-bit integer).
                  b"\x10&&\x00\x00\x00\x08\x00\x82f0\x03\x81v\x02\x82f1\x03\n\x01\x80\x01\x81x\x02\x85bin\x00\xff"
                  b"\x06\x84a\r\nb\x05\xff\n\x00\xae\xa0e\xb1\xb4\x11\x9e\x7f",
                  b"\x04\x02\x02f0\xc3\t@d\x01xx\xe0W\x00\x01xx\x02f1\xc0\xf9\n\x00^\xf4\x03f\x80\xc1\x89\x1d"]
# Sets (redis-server 7.0.15's DUMP): intsets (RDB type 11: {1, 2, 3} with
# 16-bit entries, and {-7, 1, 100} with the INT64 edges, 64-bit entries,
# LZF-compressed), and a hashtable (type 2: "", "-0", "bin\0\xff", "x" * 100
# LZF-compressed, "a", "\r\n", 1 as an 8-bit integer).
REDIS_SET_PAYLOADS = [
    b"\x0b\x0e\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\x03\x00\n\x00\xa5\x02\\\xe2mnM\x1b",
    b"\x0b\xc3\x1d0\x04\x08\x00\x00\x00\x05 \x03\xa0\x00\x02\x80\xf9\xff\x80\x00\x00\x01\xa0\x10\x00d\xa0\x07\x80"
    b"\x15\x01\xff\x7f\n\x00O1\xb3v\x935E\xd2",
    b"\x02\x07\x02-0\x05bin\x00\xff\xc3\t@d\x01xx\xe0W\x00\x01xx\x01a\x02\r\n\xc0\x01\x00\n\x00\xb7Z\x00_d\x99j\xef"]
REDIS_PAYLOADS += REDIS_SET_PAYLOADS
# Lists: redis-server 7.0.15's DUMP (a quicklist, RDB type 18: one listpack
# node of a, b, 1, -1, "", "bin\0\xff", "\r\n", INT64_MAX, "x" * 70; then
# "abc" * 30 elements, the node LZF-compressed), and tmkv's of the first
# (RDB type 1, a plain list, its integers as integer encodings).
REDIS_LIST_PAYLOADS = [
    b"\x12\x01\x02\xc3/@r\x1fr\x00\x00\x00\t\x00\x81a\x02\x81b\x02\x01\x01\xdf\xff\x02\x80\x01\x85bin\x00\xff"
    b"\x06\x82\r\n\x03\xf4\xff\x80\x00\x04\x7f\t\xe0Fx\xe0<\x00\x01H\xff\n\x00\x13*\x91\xca\xf0\x12'-",
    b"\x12\x01\x02\xc3\x12@\x9d\n\x9d\x00\x00\x00\x1e\x00\x83abc\x04\xe0\x87\x04\x01\x04\xff\n\x00\xab\xd9\xe1\x06B"
    b"\x14\x9d\x13",
    b"\x01\t\x01a\x01b\xc0\x01\xc0\xff\x00\x05bin\x00\xff\x02\r\n\x139223372036854775807@F" + b"x" * 70
    + b"\n\x00?Z\xdc\xc7;6\xf3q"]
REDIS_PAYLOADS += REDIS_LIST_PAYLOADS
# Sorted sets: redis-server 7.0.15's DUMP of a listpack (RDB type 17, LZF-
# compressed: "" -1, c 0.1, a 1, b 2.5) and of a skiplist (type 5, ZSET_2,
# binary doubles: d 3, b 2.5, a 1, c -inf).
REDIS_ZSET_PAYLOADS = [
    b"\x11\xc3(1\x121\x00\x00\x00\x08\x00\x80\x01\xdf\xff\x02\x81c\x02\x930.10\xe0\x05\x00\x0f1\x14\x81a\x02\x01"
    b"\x01\x81b\x02\x832.5\x04\xff\n\x00L\xe1\x0c\xc24\x1f\xea\xc2",
    b"\x05\x04\x01d\x00\x00\x00\x00\x00\x00\x08@\x01b\x00\x00\x00\x00\x00\x00\x04@\x01a\x00\x00\x00\x00\x00\x00\xf0?"
    b"\x01c\x00\x00\x00\x00\x00\x00\xf0\xff\n\x00\x7fhuO\n'\xe9Z"]
REDIS_PAYLOADS += REDIS_ZSET_PAYLOADS


def dump_payload(body):
    """A DUMP payload around an RDB body: RDB version 10 and the CRC-64
    (Jones, reflected) Redis puts after it."""
    data = body + b"\x0a\x00"
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
    return data + crc.to_bytes(8, "little")


BAD_PAYLOADS = [b"", b"garbage", b"\x00\x05hello\n\x00cr\xdfve4 \x0b",  # wrong CRC
                b"\x00\x05hello\x0b\x00cr\xdfve4 \n",                       # version 11
                b"\x00\x05hel\n\x00cr\xdfve4 \n",                           # body cut, CRC wrong
                # Sets Redis refuses ("Bad data format"), valid CRCs: an
                # empty type-2 set, a duplicate member, an empty intset, an
                # intset shorter than its count, a type-2 set cut short. (Not
                # here: an intset unsorted or with duplicates, which Redis
                # 7.0 loads as is without sanitize-dump-payload.)
                b"\x02\x00\n\x00:\xce9\x00\x9b\x899\xe8",
                b"\x02\x02\x01a\x01a\n\x00W\xbev/\xc2\xd6R:",
                b"\x0b\x08\x02\x00\x00\x00\x00\x00\x00\x00\n\x00ZC;\x1d\x95\xdb\x8d9",
                b"\x0b\x0c\x02\x00\x00\x00\x03\x00\x00\x00\x01\x00\x02\x00\n\x00\xa3?\xb9Z;\x19\xba\x81",
                b"\x02\x03\x01a\n\x00^,\xa4IS\x19\x13\x07",
                # Lists both refuse: empty (type 1, and a quicklist of no
                # node, or of one empty listpack), cut short, a quicklist
                # node of an unknown container type (3).
                dump_payload(b"\x01\x00"), dump_payload(b"\x01\x02\x01a"), dump_payload(b"\x12\x00"),
                dump_payload(b"\x12\x01\x02\x07\x07\x00\x00\x00\x00\x00\xff"),
                dump_payload(b"\x12\x01\x03\n\n\x00\x00\x00\x01\x00\x81a\x02\xff")]
# Bit offsets: small ones that keep keys short, byte edges, bad ones and
# the proto-max-bulk-len edge (2^32 bits = 512 MiB: refused, never allocated).
BIT_OFFSETS = [0, 1, 7, 8, 9, 15, 23, 31, 40, 63, 64, 100, -1, "x", "", "1.5", 4294967296, "99999999999999999999"]
BIT_RANGES = [0, 1, 2, -1, -2, -3, 5, 100, -100, "a"]
BITFIELD_TYPES = ["u1", "u4", "u8", "u13", "u63", "i1", "i5", "i8", "i16", "i64", "u64", "i65", "u0", "x8", "I8", ""]
BITFIELD_OFFSETS = [0, 3, 8, 17, "#0", "#1", "#3", -1, "#-1", "z", 4294967296]
BITFIELD_VALUES = [0, 1, -1, 7, 100, -100, 255, 256, -129, 9223372036854775807, -9223372036854775808, "v"]
# Hash fields: a few common ones (so hashes grow and fields are found),
# empty, binary, CRLF, a key's name, and one over Redis's 64-byte listpack
# limit (turns the hash into a hashtable for good).
FIELDS = [b"f0", b"f1", b"f2", b"f3", b"f4", b"f", b"", b"bin\x00\xff", b"a\r\nb", b"k0", b"F" * 65]
FIELD_WEIGHTS = [10, 10, 8, 6, 4, 3, 2, 2, 2, 1, 1]
FIELD_PATTERNS = [b"*", b"f*", b"f?", b"f[0-2]", b"*\x00*", b"", b"a\r\n*", b"F*", b"[^f]*", b"\\f*", b"f["]
HRANDFIELD_COUNTS = [0, 1, 1, 2, 2, 3, 5, 5, 10, 100, -1, -1, -2, -3, -5, -10, "abc", "1.5", "", " 1"]
# Set members: canonical 64-bit integers (a set of nothing else, at most
# 512 of them, is an intset: listed in ascending order), the INT64 edges and
# just past them, integers Redis does not take as such ("007", "+1", " 1",
# "1 ", "-0", "1.5": strings, which turn a set into a hashtable for good),
# and strings (empty, binary, CRLF, a hash field's name, a long one).
INT_MEMBERS = [b"1", b"2", b"3", b"0", b"5", b"10", b"-1", b"-7", b"100", b"9223372036854775807",
               b"-9223372036854775808"]
INT_MEMBER_WEIGHTS = [10, 10, 8, 6, 5, 4, 4, 3, 3, 2, 2]
MEMBERS = INT_MEMBERS + [b"9223372036854775808", b"-9223372036854775809", b"007", b"+1", b" 1", b"1 ", b"-0",
                         b"1.5", b"a", b"b", b"f0", b"", b"bin\x00\xff", b"\r\n", b"x" * 70]
MEMBER_WEIGHTS = INT_MEMBER_WEIGHTS + [1, 1, 1, 1, 1, 1, 1, 1, 4, 3, 1, 1, 1, 1, 1]
MEMBER_PATTERNS = [b"*", b"1*", b"-*", b"?", b"[0-9]", b"*\x00*", b"", b"a*", b"\r\n", b"9*", b"*0", b"[^1]*",
                   b"\\-*", b"0"]
# SPOP / SRANDMEMBER counts: mostly small; errors; whole-set ones. Never a
# huge negative SRANDMEMBER count that is in range (Redis would build a
# reply of that many members).
SPOP_COUNTS = [0, 1, 1, 2, 2, 3, 3, 4, 5, 10, 100, "9223372036854775807"]
SRANDMEMBER_COUNTS = [0, 1, 1, 2, 2, 3, 5, 10, 100, -1, -1, -2, -3, -5, -10, "9223372036854775807"]
BAD_COUNTS = [-1, "abc", "1.5", "", " 1", "+1", "-9223372036854775808", "9223372036854775808"]
# Inside MULTI an SPOP must leave the same set on both servers: only counts
# that take the whole set (or nothing, or fail).
SPOP_WHOLE_COUNTS = [0, 100000, 100000, "9223372036854775807"]
# Sorted-set members: a few common ones (so members are found, scores tie
# and the tie is broken by the member's bytes), integers (a listpack keeps
# them as integers: they must come back as the same text), empty, binary,
# CRLF, and one over zset-max-listpack-value (64 bytes: the set turns into a
# skiplist for good).
ZMEMBERS = [b"a", b"b", b"c", b"d", b"e", b"1", b"2", b"10", b"-1", b"", b"bin\x00\xff", b"\r\n", b"k0",
            b"A", b"aa", b"x" * 70]
ZMEMBER_WEIGHTS = [10, 9, 8, 6, 4, 5, 4, 2, 2, 2, 1, 1, 1, 2, 2, 1]
# Scores: small integers (ties), fractions (0.1 comes back as Redis 7.0's
# %.17g: 0.10000000000000001), the infinities in every spelling, the double's
# edges, hex (strtod takes it), and what is no score ("nan", "abc", " 1",
# "1e400" and "1e-400" out of range).
ZSCORES = [b"0", b"1", b"2", b"3", b"-1", b"-2.5", b"1.5", b"10", b"0.1", b"inf", b"-inf", b"+inf", b"1e308",
           b"-0", b"3.0", b"1e-320", b"0x10", b"1.7976931348623157e308", b"-5e-324", b"123456789012345678"]
ZSCORE_WEIGHTS = [8, 10, 8, 5, 4, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1]
BAD_ZSCORES = [b"nan", b"abc", b"", b" 1", b"1 ", b"1e400", b"1e-400", b"-nan", b"(1", b"1,5", b"inf1"]
# Score ranges (ZCOUNT, ZRANGEBYSCORE, ZREMRANGEBYSCORE, ZRANGE BYSCORE):
# inclusive and exclusive, the infinities, and what is not a float.
ZRANGE_SCORES = [b"-inf", b"+inf", b"inf", b"0", b"1", b"2", b"3", b"(1", b"(2", b"-1", b"(-1", b"1.5", b"(0",
                 b"(inf", b"(-inf", b"10", b"1e308", b"-2.5", b"(3"]
BAD_ZRANGE_SCORES = [b"abc", b"(abc", b"nan", b"(nan", b"", b"(", b"[1", b"1e400", b" 1"]
# Lex ranges: "-" and "+", inclusive "[x" and exclusive "(x", and what is
# neither (an error).
ZLEX = [b"-", b"+", b"[a", b"(a", b"[b", b"(b", b"[c", b"(d", b"[", b"(", b"[aa", b"[e", b"(A", b"[1", b"[z"]
BAD_ZLEX = [b"a", b"", b"-a", b"+z", b"{a", b"]a"]
ZRANKS = [0, 0, 1, 2, 3, -1, -1, -2, -3, 5, 10, 100, -100, "9223372036854775807", "-9223372036854775808"]
BAD_ZRANKS = ["abc", "1.5", "", " 1", "9223372036854775808"]
ZPOP_COUNTS = [0, 1, 1, 2, 3, 5, 10, 1000, -1, "abc", "1.5", "", "9223372036854775807", "-9223372036854775808"]
ZRANDMEMBER_COUNTS = [0, 1, 1, 2, 2, 3, 5, 10, 100, -1, -1, -2, -3, -5, -10, "abc", "1.5", "", " 1"]
ZWEIGHTS = [b"1", b"2", b"0", b"-1", b"0.5", b"inf", b"-inf", b"3"]
BAD_ZWEIGHTS = [b"abc", b"nan", b"", b"1e400"]
# GEO arguments (g_geo): coordinates at the limits and inside, and past
# them (an error); radii from 0 to infinity, and what is no radius; units.
GEO_LONS = ["0", "1", "-1", "10", "13.361389", "179.9", "-180", "180", "45.5", "-74", "200", "x"]
GEO_LATS = ["0", "1", "-1", "38.115556", "85.05112878", "-85.05112878", "45", "-33.9", "89", "y"]
GEO_RADII = ["0", "1", "100", "500", "5000", "200000", "20000000", "inf", "-1", "x"]
GEO_UNITS = ["m", "km", "ft", "mi", "KM", "parsec"]
# The share of random sequences that favour the sorted-set commands (of
# those that favour nothing else), and by how much; a bulk ZADD of 100-300
# members ("m<i>"), which crosses zset-max-listpack-entries (128), makes up
# ZSET_BULK_SHARE of their ZADDs (1% elsewhere).
ZSET_FOCUS_SHARE = 0.3
ZSET_FOCUS = 10
ZSET_BULK_SHARE = 0.06
LCS_OPTIONS = [["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"], ["IDX", "MINMATCHLEN", 2], ["IDX", "MINMATCHLEN", 0],
               ["IDX", "MINMATCHLEN", -3, "WITHMATCHLEN"], ["LEN", "IDX"], ["MINMATCHLEN"], ["MINMATCHLEN", "x"],
               ["FOO"], ["withmatchlen"], ["idx", "len"]]


def check_own_members(r, label, args, ra, rb, sets, what):
    """Each server's SPOP / SRANDMEMBER reply (ra, rb) against its own
    SMEMBERS reply (sets): every member returned must be in it."""
    for side, (reply, whole) in enumerate(zip((ra, rb), sets)):
        got = ([] if reply[1] is None else [reply[1]]) if reply[0] == "$" else sample_members(reply)
        own = sample_members(whole)
        if got is None or own is None:
            continue  # an error, a nil: compared already
        stray = [m for m in got if m not in set(own)]
        if stray:
            r._fail(label, f"{fmt_args(args)} (members not in {r.names[side]}'s own {what}: {stray[:3]})", ra, rb)


def srandmember_checked(r, label, args, count):
    """SRANDMEMBER (compared by shape, see differential_core), then each
    server's answer checked against its own set: a lone member must be
    there (SISMEMBER), a counted reply's members must be members (after an
    SMEMBERS compared as a multiset)."""
    ra, rb = r.do(label, *args, mode=(SRANDMEMBER, count))
    key = args[1]
    if count is None:
        if ra[0] == "$" and ra[1] is not None and rb[0] == "$" and rb[1] is not None:
            r.do_split(label, ("SISMEMBER", key, ra[1]), ("SISMEMBER", key, rb[1]),
                       "SISMEMBER <key> <the member SRANDMEMBER returned>")
        return
    if sample_members(ra) is None or sample_members(rb) is None or not ra[1]:
        return
    sets = r.do(label, "SMEMBERS", key, mode=SORTED)
    check_own_members(r, label, args, ra, rb, sets, "set")


def spop_checked(r, label, args, count):
    """SPOP, with every check a random removal allows: the set before
    (SMEMBERS, compared as a multiset), the reply by shape (see
    differential_core), each server's popped members against its own set
    before, and SCARD after. An SPOP that left members removed different
    ones on each server: each server gets its own popped members back
    (SADD: the same count on both, so none of them was still there), which
    makes the two sets equal again (the same members, the TTL kept; the
    encoding what Redis's SPOP and SADD make of it) for what follows."""
    key = args[1]
    before = r.do(label, "SMEMBERS", key, mode=SORTED)
    ra, rb = r.do(label, *args, mode=(SPOP, count))
    check_own_members(r, label, args, ra, rb, before, "set before the SPOP")
    ca, cb = r.do(label, "SCARD", key)
    popped = []
    for reply in (ra, rb):
        popped.append([reply[1]] if reply[0] == "$" and reply[1] is not None else sample_members(reply) or [])
    if ca == cb and ca[0] == ":" and ca[1] > 0 and popped[0] and popped[1]:
        r.do_split(label, ("SADD", key, *popped[0]), ("SADD", key, *popped[1]),
                   "SADD <key> <each server's own popped members> (the sets agree again)")


class Gen(StreamGen):
    def __init__(self, rng, runner, proto):
        self.rng = rng
        self.r = runner
        self.proto = proto
        self.t0 = int(time.time())
        self.n = 0
        # Some sequences favour the set commands (SET_FOCUS), so sets live
        # long enough to grow, shrink, meet each other and the other types;
        # the others mix every command by the plain weights.
        self.set_focus = rng.random() < SET_FOCUS_SHARE
        # ...and some of the rest the HyperLogLog commands (HLL_FOCUS), or
        # the list commands (LIST_FOCUS).
        self.hll_focus = not self.set_focus and rng.random() < HLL_FOCUS_SHARE
        self.list_focus = not self.set_focus and not self.hll_focus and rng.random() < LIST_FOCUS_SHARE
        self.zset_focus = not (self.set_focus or self.hll_focus or self.list_focus) and rng.random() < ZSET_FOCUS_SHARE
        self.stream_focus = (not (self.set_focus or self.hll_focus or self.list_focus or self.zset_focus) and
                             rng.random() < STREAM_FOCUS_SHARE)
        # Whether the client random_steps draws for is inside MULTI (where a
        # blocking command never waits), and how many blocking commands have
        # waited for their timeout so far (see blocking_step).
        self.in_multi = False
        self.waits = 0
        # Whether client A may be watching keys (WATCH since its last
        # UNWATCH, EXEC or DISCARD; see sequence): then no command is
        # generated whose write Redis hides from WATCH while tmkv's shows
        # (see INTENTIONAL_DIFFERENCES: PFDEBUG GETREG / TODENSE, a PFADD
        # that stops at a corrupt HyperLogLog after raising a register).
        self.watching = False

    # ---- value pickers ----
    def key(self):
        focus = self.set_focus or self.hll_focus or self.list_focus or self.zset_focus or self.stream_focus
        return self.rng.choices(KEYS, SET_FOCUS_KEY_WEIGHTS if focus else KEY_WEIGHTS)[0]

    def keys(self, lo, hi):
        return [self.key() for _ in range(self.rng.randint(lo, hi))]

    def val(self):
        return self.rng.choices(VALUES, VALUE_WEIGHTS)[0]

    def name(self, n):
        """The command name in a random case (commands are case-insensitive)."""
        x = self.rng.random()
        if x < 0.45:
            return n.upper()
        if x < 0.8:
            return n
        return "".join(c.upper() if self.rng.random() < 0.5 else c for c in n)

    def rel_s(self):
        self.n += 1
        return self.rng.choice([0, 1, 2]) * 10**6 + 1000 + self.n

    def abs_s(self):
        return self.t0 + self.rng.choice([0, 1, 2]) * 10**6 + 500000 + self.rng.choice([0, 1, 2])

    def past_abs_s(self):
        return self.rng.choice([1, self.t0 - 1000, self.t0 - 10**6])

    def expire_arg(self, unit, absolute):
        """(argument, note) for EXPIRE-like commands: future, past, or bad."""
        x = self.rng.random()
        ms = unit == "ms"
        if x < 0.62:
            if absolute:
                v = self.abs_s()
                return v * 1000 + self.rng.choice([0, 0, 1, 500]) if ms else v
            v = self.rel_s()
            return v * 1000 if ms else v
        if x < 0.85:
            if absolute:
                v = self.past_abs_s()
                return v * 1000 if ms else v
            return self.rng.choice([0, -1, -100, -10**6])
        if x < 0.93:
            return self.huge(ms, absolute)
        return self.rng.choice(BAD_NUMS)

    def huge(self, ms, absolute):
        values = HUGE_MS if ms else HUGE_S
        if not absolute:
            values = [v for v in values if v not in VALID_HUGE_RELATIVE]
        return self.rng.choice(values)

    def set_expiry_tokens(self):
        """An expiry clause for SET/GETEX (which reject <= 0 values)."""
        kind = self.rng.choice(["EX", "PX", "EXAT", "PXAT"])
        x = self.rng.random()
        if x < 0.65:
            if kind == "EX":
                v = self.rel_s()
            elif kind == "PX":
                v = self.rel_s() * 1000
            elif kind == "EXAT":
                v = self.abs_s()
            else:
                v = self.abs_s() * 1000 + self.rng.choice([0, 1])
        elif x < 0.82:
            if kind in ("EX", "PX"):
                v = self.rng.choice([0, -1, -1000])
            else:
                v = self.past_abs_s() * (1000 if kind == "PXAT" else 1)
                if self.rng.random() < 0.2:
                    v = self.rng.choice([0, -1])
        elif x < 0.92:
            v = self.huge(kind in ("PX", "PXAT"), kind in ("EXAT", "PXAT"))
        else:
            v = self.rng.choice(BAD_NUMS)
        return [self.case(kind), v]

    def case(self, tok):
        return tok.lower() if self.rng.random() < 0.3 else tok

    # ---- command generators: each returns a list of (args, mode) steps ----
    def g_ping(self):
        if self.rng.random() < 0.5:
            return [([self.name("ping")], "exact")]
        return [([self.name("ping"), self.val()], "exact")]

    def g_echo(self):
        return [([self.name("echo"), self.val()], "exact")]

    def g_select(self):
        return [([self.name("select"), self.rng.choice(SELECT_DBS)], "exact")]

    def g_exists(self):
        return [([self.name(self.rng.choice(["exists", "del", "unlink", "exists"]))] + self.keys(1, 4), "exact")]

    def g_type(self):
        return [([self.name("type"), self.key()], "exact")]

    def g_rename(self):
        return [([self.name(self.rng.choice(["rename", "renamenx"])), self.key(), self.key()], "exact")]

    def g_keys(self):
        return [([self.name("keys"), self.rng.choice(KEY_PATTERNS)], "sorted")]

    def g_dbsize(self):
        # Redis's DBSIZE counts keys that are logically expired but not yet
        # reclaimed (SET ... PXAT <past> leaves one), and its background
        # expiry reclaims them at a time of its own: touch every key first.
        return [([self.name("exists")] + KEYS, "exact"), ([self.name("dbsize")], "exact")]

    def g_flush(self):
        cmd = self.rng.choice(["flushdb", "flushdb", "flushall"])
        args = [self.name(cmd)]
        x = self.rng.random()
        if x < 0.2:
            args.append(self.case("ASYNC"))
        elif x < 0.35:
            args.append(self.case("SYNC"))
        elif x < 0.4:
            args.append(self.rng.choice(["foo", "async", "ASYNC"]))
            args.append("SYNC")
        return [(args, "exact")]

    def g_copy(self):
        args = [self.name("copy"), self.key(), self.key()]
        opts = []
        if self.rng.random() < 0.5:
            opts.append([self.case("DB"), self.rng.choice([0, 0, 1, 1, 2, 15, 16, -1, "x"])])
        if self.rng.random() < 0.4:
            opts.append([self.case("REPLACE")])
        if self.rng.random() < 0.05:
            opts.append([self.rng.choice(["FOO", "DB"])])
        self.rng.shuffle(opts)
        for o in opts:
            args += o
        return [(args, "exact")]

    def g_expire(self):
        cmd = self.rng.choice(["expire", "pexpire", "expireat", "pexpireat"])
        args = [self.name(cmd), self.key(), self.expire_arg("ms" if cmd.startswith("p") else "s", cmd.endswith("at"))]
        x = self.rng.random()
        if x < 0.4:
            args.append(self.case(self.rng.choice(["NX", "XX", "GT", "LT"])))
        elif x < 0.5:
            args += [self.case(self.rng.choice(["NX", "XX", "GT", "LT", "foo"])) for _ in range(2)]
        return [(args, "exact")]

    def g_ttl(self):
        # EXPIRETIME's absolute answers only differ by the skew when the
        # expiry was set relative to the clock, so the TTL tolerance fits.
        cmd = self.rng.choice(["ttl", "pttl", "ttl", "pttl", "expiretime", "pexpiretime"])
        return [([self.name(cmd), self.key()], "ttl_ms" if cmd.startswith("p") else "ttl_s")]

    def g_persist(self):
        return [([self.name("persist"), self.key()], "exact")]

    def g_get(self):
        cmd = self.rng.choice(["get", "get", "getdel", "strlen"])
        return [([self.name(cmd), self.key()], "exact")]

    def g_set(self):
        args = [self.name("set"), self.key(), self.val()]
        opts = []
        if self.rng.random() < 0.85:  # mostly valid combinations
            if self.rng.random() < 0.3:
                opts.append([self.case(self.rng.choice(["NX", "XX"]))])
            if self.rng.random() < 0.25:
                opts.append([self.case("GET")])
            x = self.rng.random()
            if x < 0.4:
                opts.append(self.set_expiry_tokens())
            elif x < 0.5:
                opts.append([self.case("KEEPTTL")])
        else:  # anything goes: conflicting, repeated, unknown or incomplete options
            for _ in range(self.rng.randint(1, 3)):
                y = self.rng.random()
                if y < 0.3:
                    opts.append([self.case(self.rng.choice(["NX", "XX", "GET", "KEEPTTL"]))])
                elif y < 0.7:
                    opts.append(self.set_expiry_tokens())
                elif y < 0.85:
                    opts.append([self.case(self.rng.choice(["EX", "PX", "EXAT", "PXAT"]))])
                else:
                    # Not "1": after a lone PX it would make a real 1 ms
                    # expiry, and the two servers disagree on timing.
                    opts.append([self.rng.choice(["FOO", "GETT", "1.5", ""])])
        self.rng.shuffle(opts)
        for o in opts:
            args += o
        return [(args, "exact")]

    def g_setnx(self):
        return [([self.name("setnx"), self.key(), self.val()], "exact")]

    def g_setex(self):
        cmd = self.rng.choice(["setex", "psetex"])
        x = self.rng.random()
        if x < 0.7:
            t = self.rel_s() * (1000 if cmd == "psetex" else 1)
        elif x < 0.85:
            t = self.rng.choice([0, -1, -100])
        else:
            t = self.huge(cmd == "psetex", False) if self.rng.random() < 0.5 else self.rng.choice(BAD_NUMS)
        return [([self.name(cmd), self.key(), t, self.val()], "exact")]

    def g_getset(self):
        return [([self.name("getset"), self.key(), self.val()], "exact")]

    def g_getex(self):
        args = [self.name("getex"), self.key()]
        x = self.rng.random()
        if x < 0.25:
            pass
        elif x < 0.7:
            args += self.set_expiry_tokens()
        elif x < 0.85:
            args.append(self.case("PERSIST"))
        else:
            for _ in range(self.rng.randint(1, 2)):
                args += self.rng.choice([[self.case("PERSIST")], self.set_expiry_tokens(), ["EX"], ["FOO"]])
        return [(args, "exact")]

    def g_mget(self):
        return [([self.name("mget")] + self.keys(1, 5), "exact")]

    def g_mset(self):
        args = [self.name(self.rng.choice(["mset", "msetnx"]))]
        for _ in range(self.rng.randint(1, 4)):
            args += [self.key(), self.val()]
        if self.rng.random() < 0.05:
            args.append(self.key())  # odd number of arguments
        return [(args, "exact")]

    def g_incr(self):
        cmd = self.rng.choice(["incr", "decr", "incrby", "decrby", "incrby"])
        args = [self.name(cmd), self.key()]
        if cmd.endswith("by"):
            args.append(self.rng.choice(INCRS))
        return [(args, "exact")]

    def g_incrbyfloat(self):
        return [([self.name("incrbyfloat"), self.key(), self.rng.choice(FLOAT_INCRS)], "exact")]

    def g_append(self):
        return [([self.name("append"), self.key(), self.val()], "exact")]

    def g_getrange(self):
        return [([self.name("getrange"), self.key(), self.rng.choice(RANGE_OFFSETS),
                  self.rng.choice(RANGE_OFFSETS)], "exact")]

    def g_setrange(self):
        x = self.rng.random()
        val = self.val()
        if x < 0.75:
            off = self.rng.randint(0, 20)
        elif x < 0.85:
            off = self.rng.choice([-1, -100, "abc", "", "1.5"])
        else:
            # Too big however short the value: an error, never an allocation.
            off, val = self.rng.choice([(536870912, b"a"), (536870911, b"ab"), (536870912, b""),
                                        ("9223372036854775807", b"ab")])
        return [([self.name("setrange"), self.key(), off, val], "exact")]

    def g_setbit(self):
        x = self.rng.random()
        off = self.rng.choice(BIT_OFFSETS) if x < 0.2 else self.rng.randint(0, 70)
        bit = self.rng.choice([0, 1, 1, 0, 2, -1, "x"]) if x > 0.1 else self.rng.choice([0, 1])
        return [([self.name("setbit"), self.key(), off, bit], "exact")]

    def g_getbit(self):
        off = self.rng.choice(BIT_OFFSETS) if self.rng.random() < 0.2 else self.rng.randint(0, 70)
        return [([self.name("getbit"), self.key(), off], "exact")]

    def g_bitcount(self):
        args = [self.name("bitcount"), self.key()]
        n = self.rng.choice([0, 2, 2, 3, 1])
        args += [self.rng.choice(BIT_RANGES) for _ in range(min(n, 2))]
        if n == 3:
            args.append(self.rng.choice(["BIT", "byte", "Bit", "BYTE", "bits"]))
        return [(args, "exact")]

    def g_bitpos(self):
        args = [self.name("bitpos"), self.key(), self.rng.choice([0, 1, 0, 1, 2, "x"])]
        n = self.rng.choice([0, 1, 2, 3, 3])
        args += [self.rng.choice(BIT_RANGES) for _ in range(min(n, 2))]
        if n == 3:
            args.append(self.rng.choice(["BIT", "byte", "bit", "BYTE", "foo"]))
        return [(args, "exact")]

    def g_bitop(self):
        op = self.rng.choice(["AND", "or", "Xor", "NOT", "NOT", "nand"])
        n = 1 if op == "NOT" and self.rng.random() < 0.85 else self.rng.randint(1, 3)
        return [([self.name("bitop"), op, self.key()] + self.keys(n, n), "exact")]

    def g_bitfield(self):
        ro = self.rng.random() < 0.2
        args = [self.name("bitfield_ro" if ro else "bitfield"), self.key()]
        for _ in range(self.rng.randint(0, 3)):
            x = self.rng.random()
            typ = self.rng.choice(BITFIELD_TYPES) if x < 0.15 else self.rng.choice(BITFIELD_TYPES[:10])
            off = self.rng.choice(BITFIELD_OFFSETS) if x < 0.3 else self.rng.randint(0, 40)
            if x < 0.15:
                args += [self.case("OVERFLOW"), self.rng.choice(["WRAP", "sat", "FAIL", "fail", "nope"])]
            elif x < 0.45 or (ro and x < 0.9):
                args += [self.case("GET"), typ, off]
            elif x < 0.75:
                args += [self.case("SET"), typ, off, self.rng.choice(BITFIELD_VALUES)]
            elif x < 0.97:
                args += [self.case("INCRBY"), typ, off, self.rng.choice(BITFIELD_VALUES)]
            else:
                args += [self.rng.choice(["GET", "SET", "FOO"])]  # missing arguments or unknown
        # See INTENTIONAL_DIFFERENCES (BITFIELD ... OVERFLOW FAIL): one write
        # that is always applied and changes no bit.
        upper = [str(a).upper() for a in args]
        if not ro and "FAIL" in upper and ("SET" in upper or "INCRBY" in upper):
            args += ["OVERFLOW", "WRAP", "INCRBY", "u1", 0, 0]
        return [(args, "exact")]

    def g_touch(self):
        return [([self.name("touch")] + self.keys(1, 4), "exact")]

    def g_publish(self):
        """Pub/sub without subscribers (this connection never subscribes:
        a RESP2 subscriber could run nothing else): PUBLISH counts 0 and the
        PUBSUB introspection answers empty, inside MULTI too; its argument
        errors and subcommand arities are compared."""
        x = self.rng.random()
        if x < 0.4:
            return [([self.name(self.rng.choice(["publish", "spublish"])), self.key(), self.val()], "exact")]
        sub = self.rng.choice(["channels", "shardchannels", "numsub", "shardnumsub", "numpat", "foo"])
        args = [self.name("pubsub"), self.name(sub)]
        if sub in ("channels", "shardchannels"):
            args += self.rng.choice([[], ["*"], ["k*"], ["a", "b"]])
        elif sub in ("numsub", "shardnumsub"):
            args += self.keys(0, 3)
        elif sub == "numpat":
            args += self.rng.choice([[], [], ["x"]])
        return [(args, "exact")]

    # Scripts: each runs in its command's transaction in tmkv, alone on
    # Redis's thread; the replies (conversions, errors with the script's
    # SHA-1 and line, partial writes before an error) must be the same.
    SCRIPTS = [
        (1, "return redis.call('get', KEYS[1])"),
        (1, "return redis.call('incrby', KEYS[1], ARGV[1])"),
        (2, "local v = redis.call('get', KEYS[1])\nif v then redis.call('set', KEYS[2], v) end\nreturn v"),
        (3, "return redis.call('mget', unpack(KEYS))"),
        (1, "return redis.pcall('incr', KEYS[1])"),
        (1, "redis.call('set', KEYS[1], ARGV[1])\nreturn redis.call('incr', KEYS[1])"),
        (1, "return {redis.call('exists', KEYS[1]), redis.call('ttl', KEYS[1]), redis.call('type', KEYS[1])}"),
        (2, "return redis.call('del', unpack(KEYS))"),
        (2, "local a = tonumber(redis.call('get', KEYS[1]) or '0')\nlocal n = tonumber(ARGV[1])\n"
            "if a == nil or n == nil then return redis.error_reply('ERR not a number') end\n"
            "if a < n then return {err = 'ERR insufficient funds'} end\n"
            "redis.call('decrby', KEYS[1], n)\nreturn redis.call('incrby', KEYS[2], n)"),
        (1, "return redis.call('expire', KEYS[1], ARGV[1])"),
        (1, "return redis.call('append', KEYS[1], ARGV[1]) + 0.5"),
        (0, "return {1, 'two', {3, false}, true, nil, 'unseen'}"),
        (1, "local t = redis.call('getex', KEYS[1])\nreturn type(t)"),
        (1, "return redis.status_reply(redis.call('set', KEYS[1], ARGV[1], 'get') or 'none')"),
        (1, "return redis.call('setrange', KEYS[1], ARGV[1], 'x')"),
        (0, "return redis.call('nosuchcommand')"),
        (0, "error('deliberate')"),
        (1, "return redis.call('smembers', KEYS[1])"),
        (2, "return redis.call('sunion', KEYS[1], KEYS[2])"),
        (2, "redis.setresp(3)\nreturn redis.call('sinter', KEYS[1], KEYS[2])"),
        (1, "return redis.call('sadd', KEYS[1], ARGV[1])"),
        (2, "return {redis.call('scard', KEYS[1]), redis.call('sismember', KEYS[1], ARGV[1]), "
            "redis.call('smismember', KEYS[1], ARGV[1], '1'), redis.call('sintercard', 2, KEYS[1], KEYS[2])}"),
        (2, "return redis.pcall('smove', KEYS[1], KEYS[2], ARGV[1])"),
        (2, "return redis.call('sdiffstore', KEYS[1], KEYS[2], KEYS[1])"),
        # HyperLogLogs: PFCOUNT may store its estimate, so EVAL_RO refuses
        # it as a write; one element only (see Gen.watching).
        (1, "return redis.call('pfadd', KEYS[1], ARGV[1])"),
        (2, "return {redis.call('pfcount', KEYS[1]), redis.call('pfcount', KEYS[1], KEYS[2])}"),
        (2, "return redis.pcall('pfmerge', KEYS[1], KEYS[2])"),
        # Lists: a nil inside a table ends it (LINDEX past the end); the
        # blocking commands are refused from scripts, but for BLMPOP, which
        # Redis 7.0 runs there as LMPOP.
        (1, "return redis.call('lrange', KEYS[1], 0, -1)"),
        (1, "return redis.call('rpush', KEYS[1], ARGV[1])"),
        (1, "return {redis.call('llen', KEYS[1]), redis.call('lpos', KEYS[1], ARGV[1]), "
            "redis.call('lindex', KEYS[1], -1), redis.call('lindex', KEYS[1], 5)}"),
        (2, "return redis.call('lmove', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')"),
        (1, "return redis.call('lpop', KEYS[1], 2)"),
        (2, "return redis.pcall('lmpop', 2, KEYS[1], KEYS[2], 'RIGHT', 'COUNT', 2)"),
        (1, "return redis.pcall('blpop', KEYS[1], 0)"),
        (1, "return redis.pcall('blmpop', 0, 1, KEYS[1], 'LEFT', 'COUNT', 2)"),
        (2, "return redis.pcall('brpoplpush', KEYS[1], KEYS[2], 0)"),
        (1, "redis.setresp(3)\nreturn {redis.call('lpop', KEYS[1], 3), redis.call('lpos', KEYS[1], 'x', 'COUNT', 0)}"),
        # Sorted sets: scores come to Lua as strings (RESP2) or as
        # {double = n} tables (RESP3), and go back as Lua formats them.
        (1, "return redis.call('zrange', KEYS[1], 0, -1, 'WITHSCORES')"),
        (1, "redis.setresp(3)\nreturn redis.call('zrange', KEYS[1], 0, -1, 'WITHSCORES')"),
        (1, "return redis.call('zadd', KEYS[1], ARGV[1], 'm')"),
        (1, "return {redis.call('zscore', KEYS[1], ARGV[1]), redis.call('zcard', KEYS[1]), "
            "redis.call('zrank', KEYS[1], 'a'), redis.call('zmscore', KEYS[1], 'a', 'zz')}"),
        (1, "redis.setresp(3)\nreturn {redis.call('zscore', KEYS[1], 'a'), redis.call('zpopmin', KEYS[1]), "
            "redis.call('zincrby', KEYS[1], 1, 'b')}"),
        (2, "return redis.pcall('zunionstore', KEYS[1], 2, KEYS[1], KEYS[2], 'WEIGHTS', 2, ARGV[1])"),
        (2, "return redis.pcall('bzpopmax', KEYS[1], KEYS[2], 0)"),
        (2, "return redis.pcall('zmpop', 2, KEYS[1], KEYS[2], 'MAX', 'COUNT', 2)"),
    ]
    # Scripts whose reply is a set's members (Lua tables in the set's
    # order, a RESP3 set turned into a Lua table and back in Lua's table
    # order): compared as multisets, see INTENTIONAL_DIFFERENCES.
    SCRIPT_MODES = {"return redis.call('smembers', KEYS[1])": SORTED,
                    "return redis.call('sunion', KEYS[1], KEYS[2])": SORTED,
                    "redis.setresp(3)\nreturn redis.call('sinter', KEYS[1], KEYS[2])": SORTED}

    def g_eval(self):
        nkeys, body = self.rng.choice(self.SCRIPTS)
        mode = self.SCRIPT_MODES.get(body, "exact")
        keys = [self.key() for _ in range(nkeys)]
        argv = [self.rng.choice([self.val(), b"3", b"-2", b"x", self.member(), self.list_element()])
                for _ in range(self.rng.randint(1, 2))]
        x = self.rng.random()
        if x < 0.7:
            return [([self.name("eval"), body, len(keys)] + keys + argv, mode)]
        if x < 0.85:
            # EVAL cached it (or not yet: NOSCRIPT on both).
            sha = hashlib.sha1(body.encode()).hexdigest()
            return [([self.name("evalsha"), sha, len(keys)] + keys + argv, mode)]
        if x < 0.95:
            return [([self.name("eval_ro"), body, len(keys)] + keys + argv, mode)]
        return [([self.name("eval"), body, self.rng.choice([-1, len(keys) + 5, "x"])] + keys, "exact")]

    def g_substr(self):
        return [([self.name("substr"), self.key(), self.rng.choice(RANGE_OFFSETS),
                  self.rng.choice(RANGE_OFFSETS)], "exact")]

    def g_lcs(self):
        args = [self.name("lcs"), self.key(), self.key()]
        if self.rng.random() < 0.6:
            args += [self.case(o) if isinstance(o, str) else o for o in self.rng.choice(LCS_OPTIONS)]
        return [(args, "exact")]

    def g_move(self):
        db = self.rng.choice([0, 1, 1, 1, 2, 15, 16, -1, "x", "2147483648"])
        return [([self.name("move"), self.key(), db], "exact")]

    def g_object(self):
        x = self.rng.random()
        if x < 0.4:
            return [([self.name("object"), self.case("ENCODING"), self.key()], ENCODING)]
        if x < 0.6:
            return [([self.name("object"), self.case("REFCOUNT"), self.key()], SAME_TYPE)]
        if x < 0.75:
            return [([self.name("object"), self.case("FREQ"), self.key()], "exact")]
        if x < 0.9:
            # Redis 7.0's MEMORY USAGE finds a logically expired key that is
            # not yet reclaimed (dbFind, no expiry check); tmkv does not:
            # touch every key first, as for DBSIZE.
            return [([self.name("exists")] + KEYS, "exact"),
                    ([self.name("memory"), self.case("USAGE"), self.key()], SAME_TYPE)]
        return [([self.name(self.rng.choice(["object", "memory"])), self.rng.choice(["FOO", "encoding"])],
                 "exact")]

    def g_dump(self):
        return "dump"

    def g_restore(self):
        args = [self.name("restore"), self.key()]
        x = self.rng.random()
        absttl = self.rng.random() < 0.2
        if x < 0.6:
            ttl = 0
        elif x < 0.75:
            ttl = self.abs_s() * 1000 if absttl else self.rel_s() * 1000
        elif x < 0.85:
            ttl = self.past_abs_s() * 1000 if absttl else self.rng.choice([-1, -1000])
        else:
            ttl = self.rng.choice(BAD_NUMS)
        args.append(ttl)
        args.append(self.rng.choice(REDIS_PAYLOADS * 3 + BAD_PAYLOADS))
        opts = []
        if self.rng.random() < 0.5:
            opts.append([self.case("REPLACE")])
        if absttl:
            opts.append([self.case("ABSTTL")])
        y = self.rng.random()
        if y < 0.1:
            opts.append([self.case("IDLETIME"), self.rng.choice([0, 100, -1, "x"])])
        elif y < 0.2:
            opts.append([self.case("FREQ"), self.rng.choice([0, 255, 256, -1, "x"])])
        elif y < 0.25:
            opts += [[self.case("IDLETIME"), 5], [self.case("FREQ"), 5]]
        elif y < 0.3:
            opts.append([self.rng.choice(["FOO", "IDLETIME", "FREQ"])])
        self.rng.shuffle(opts)
        for o in opts:
            args += o
        return [(args, "exact")]

    def g_unknown(self):
        args = [self.rng.choice(UNKNOWN_NAMES)]
        for _ in range(self.rng.randint(0, 5)):
            args.append(self.rng.choice([self.val(), self.key(), b"a" * 200, b"b\r\nc", b"'q'"]))
        return [(args, "exact")]

    def g_arity(self):
        name = self.rng.choice(sorted(ARITY))
        if name in ("multi", "exec", "discard", "watch", "unwatch") and self.rng.random() < 0.7:
            name = "get"
        arity = ARITY[name]
        if arity > 0:
            choices = [n for n in range(1, arity + 3) if n != arity]
        else:
            choices = list(range(1, -arity))
            if not choices:  # "ping" (-1) only errors with too many arguments
                choices = [3, 4]
        n = self.rng.choice(choices)
        if name in ("mset", "msetnx") and self.rng.random() < 0.5:
            n = self.rng.choice([4, 6])  # odd number of key/value arguments
        if name in ("hset", "hmset") and self.rng.random() < 0.5:
            n = self.rng.choice([5, 7])  # odd number of field/value arguments
        args = [self.name(name)] + [self.key() for _ in range(n - 1)]
        return [(args, "exact")]

    # ---- hashes: over the same keys as the strings, so each side's
    # commands meet the other's keys (WRONGTYPE both ways) ----
    def field(self):
        return self.rng.choices(FIELDS, FIELD_WEIGHTS)[0]

    def fields(self, lo, hi):
        return [self.field() for _ in range(self.rng.randint(lo, hi))]

    def g_hset(self):
        args = [self.name(self.rng.choice(["hset", "hset", "hmset"])), self.key()]
        for _ in range(self.rng.randint(1, 4)):
            args += [self.field(), self.val()]
        if self.rng.random() < 0.05:
            args.append(self.field())  # odd number of field/value arguments
        return [(args, "exact")]

    def g_hsetnx(self):
        return [([self.name("hsetnx"), self.key(), self.field(), self.val()], "exact")]

    def g_hget(self):
        cmd = self.rng.choice(["hget", "hget", "hexists", "hstrlen"])
        return [([self.name(cmd), self.key(), self.field()], "exact")]

    def g_hmget(self):
        return [([self.name("hmget"), self.key()] + self.fields(1, 4), "exact")]

    def g_hdel(self):
        return [([self.name("hdel"), self.key()] + self.fields(1, 3), "exact")]

    def g_hlen(self):
        return [([self.name("hlen"), self.key()], "exact")]

    def g_hincrby(self):
        if self.rng.random() < 0.6:
            return [([self.name("hincrby"), self.key(), self.field(), self.rng.choice(INCRS)], "exact")]
        return [([self.name("hincrbyfloat"), self.key(), self.field(), self.rng.choice(FLOAT_INCRS)], "exact")]

    def g_hgetall(self):
        # See INTENTIONAL_DIFFERENCES: a hash that outgrew the listpack
        # lists in a different order on each server.
        cmd = self.rng.choice(["hgetall", "hgetall", "hkeys", "hvals"])
        return [([self.name(cmd), self.key()], PAIRS if cmd == "hgetall" else "sorted")]

    def hrandfield_args(self):
        """(args, count or None, withvalues) of a random HRANDFIELD."""
        args = [self.name("hrandfield"), self.key()]
        x = self.rng.random()
        if x < 0.2:
            return args, None, False
        if x < 0.93:
            count = self.rng.choice(HRANDFIELD_COUNTS)
        else:
            # Out of range (an error on both, even with repetitions), or
            # only whole hashes (Redis's own bound is LONG_MAX, LONG_MAX / 2
            # with WITHVALUES). Never a huge negative count that is in
            # range: Redis would build a reply of that many entries.
            count = self.rng.choice(["-9223372036854775808", "9223372036854775807", "4611686018427387904",
                                     "9223372036854775808"])
        args.append(count)
        withvalues = False
        y = self.rng.random()
        if y < 0.4:
            args.append(self.case("WITHVALUES"))
            withvalues = True
        elif y < 0.45:
            args.append(self.rng.choice(["WITHVALUE", "foo", ""]))
        elif y < 0.48:
            args += [self.case("WITHVALUES"), self.case("WITHVALUES")]
        # The count as a number for the comparison (see HRANDFIELD in
        # differential_core); a non-number is an error on both servers.
        n = int(count) if str(count).lstrip("-").isdigit() else None
        return args, n, withvalues

    def g_hrandfield(self):
        args, count, withvalues = self.hrandfield_args()
        if self.rng.random() < 0.5:
            return [(args, (HRANDFIELD, count, withvalues))]
        return ("hrandfield", args, count, withvalues)

    def g_hscan(self):
        return "hscan"

    # ---- sets: the same keys again (WRONGTYPE with strings and hashes in
    # every direction; the STORE commands overwrite whatever is there) ----
    def member(self):
        return self.rng.choices(MEMBERS, MEMBER_WEIGHTS)[0]

    def members(self, lo, hi):
        """Members for SADD and the like: half the time integers only, so
        sets stay intsets long enough for their order to matter."""
        n = self.rng.randint(lo, hi)
        if self.rng.random() < 0.5:
            return self.rng.choices(INT_MEMBERS, INT_MEMBER_WEIGHTS, k=n)
        return [self.member() for _ in range(n)]

    def g_sadd(self):
        key = self.key()
        if self.rng.random() < 0.02:
            # Around set-max-intset-entries (512): an intset of 510 or 512,
            # or a hashtable of integers only.
            base = self.rng.choice([0, -300, 1000])
            n = self.rng.choice([510, 512, 513, 600])
            return [([self.name("sadd"), key] + [str(i) for i in range(base, base + n)], "exact")]
        return [([self.name("sadd"), key] + self.members(1, 4), "exact")]

    def g_srem(self):
        return [([self.name("srem"), self.key()] + self.members(1, 3), "exact")]

    def g_scard(self):
        return [([self.name("scard"), self.key()], "exact")]

    def g_sismember(self):
        if self.rng.random() < 0.5:
            return [([self.name("sismember"), self.key(), self.member()], "exact")]
        return [([self.name("smismember"), self.key()] + self.members(1, 4), "exact")]

    def set_reply(self, args):
        """SMEMBERS / SINTER / SUNION / SDIFF: compared as a multiset (see
        INTENTIONAL_DIFFERENCES: a hashtable lists in each server's own
        order), or half the time (not inside MULTI) in order where Redis
        built the reply from intsets (see set_order_step)."""
        if self.rng.random() < 0.5:
            return [(args, SORTED)]
        return ("setorder", args)

    def g_smembers(self):
        return self.set_reply([self.name("smembers"), self.key()])

    def g_smove(self):
        return [([self.name("smove"), self.key(), self.key(), self.member()], "exact")]

    def g_sinter(self):
        if self.rng.random() < 0.6:
            return self.set_reply([self.name("sinter")] + self.keys(1, 3))
        keys = self.keys(1, 3)
        numkeys = len(keys)
        if self.rng.random() < 0.12:
            numkeys = self.rng.choice([0, -1, "x", "", len(keys) + 1, len(keys) + 5, len(keys) - 1,
                                       "9223372036854775808"])
        args = [self.name("sintercard"), numkeys] + keys
        y = self.rng.random()
        if y < 0.35:
            args += [self.case("LIMIT"), self.rng.choice([0, 0, 1, 2, 3, 5, 100, "9223372036854775807"])]
        elif y < 0.45:
            args += self.rng.choice([["LIMIT"], ["LIMIT", -1], ["LIMIT", "x"], ["FOO"], ["LIMIT", 1, "LIMIT", 2],
                                     ["LIMIT", "9223372036854775808"], ["limit", " 1"]])
        return [(args, "exact")]

    def g_sunion(self):
        return self.set_reply([self.name(self.rng.choice(["sunion", "sdiff"]))] + self.keys(1, 3))

    def g_sstore(self):
        cmd = self.rng.choice(["sinterstore", "sunionstore", "sdiffstore"])
        return [([self.name(cmd), self.key()] + self.keys(1, 3), "exact")]

    def g_srandmember(self):
        args = [self.name("srandmember"), self.key()]
        count = None
        if self.rng.random() < 0.75:
            count = self.rng.choice(SRANDMEMBER_COUNTS if self.rng.random() < 0.85 else BAD_COUNTS[1:])
            args.append(count)
            if self.rng.random() < 0.04:
                args.append(self.rng.choice(["WITHVALUES", "1"]))  # a syntax error
        n = int(count) if count is not None and str(count).lstrip("-").isdigit() else None
        if self.rng.random() < 0.4:
            return [(args, (SRANDMEMBER, n))]
        return ("srandmember", args, n)

    def g_spop(self):
        """("spop", args, count) for run_steps, which checks and evens out
        the servers' sets afterwards; inside MULTI (no such check there,
        random_steps skips anything but a list) only a list with a count
        that takes the whole set or fails."""
        key = self.key()
        if self.rng.random() < 0.3:
            count = self.rng.choice(SPOP_WHOLE_COUNTS if self.rng.random() < 0.8 else BAD_COUNTS)
            args = [self.name("spop"), key, count]
            if self.rng.random() < 0.1:
                args.append(self.rng.choice(["1", "COUNT"]))  # a syntax error
            n = int(count) if str(count).lstrip("-").isdigit() else None
            return [(args, (SPOP, n))]
        args = [self.name("spop"), key]
        if self.rng.random() < 0.3:
            return ("spop", args, None)
        count = self.rng.choice(SPOP_COUNTS if self.rng.random() < 0.85 else BAD_COUNTS)
        n = int(count) if str(count).lstrip("-").isdigit() else None
        return ("spop", args + [count], n)

    def g_sscan(self):
        return "sscan"

    def g_randomkey(self):
        return "randomkey"

    def g_scan(self):
        return "scan"

    # ---- HyperLogLogs: strings in Redis's own layout, over the same keys
    # (GET, APPEND, SETRANGE, DUMP... compare their bytes; the other types
    # and plain strings meet PFADD and friends: WRONGTYPE, two texts) ----
    def hll_elements(self, lo, hi):
        return self.rng.choices(HLL_ELEMENTS, HLL_ELEMENT_WEIGHTS, k=self.rng.randint(lo, hi))

    def g_pfadd(self):
        """PFADD of a few elements (none at all: creates the key, or
        nothing), or of hundreds (the value grows, or turns dense). While A
        may be watching: at most one element (see Gen.watching)."""
        args = [self.name("pfadd"), self.key()]
        if self.watching:
            return [(args + self.hll_elements(0, 1), "exact")]
        if self.rng.random() < 0.08:
            base = self.rng.choice(HLL_BULK_BASES)
            return [(args + [b"e%d" % i for i in range(base, base + self.rng.choice(HLL_BULK_COUNTS))], "exact")]
        return [(args + self.hll_elements(0, 6), "exact")]

    def g_pfcount(self):
        # One key: the cached estimate, or a fresh one stored (a write);
        # several: the estimate of their union, nothing stored.
        return [([self.name("pfcount")] + self.keys(1, 3), "exact")]

    def g_pfmerge(self):
        return [([self.name("pfmerge"), self.key()] + self.keys(0, 3), "exact")]

    def g_pfdebug(self):
        """PFDEBUG's subcommands (GETREG: 16384 registers, compared exactly),
        an unknown one, wrong arities. GETREG and TODENSE store a sparse
        value dense: not while A may be watching (see Gen.watching)."""
        x = self.rng.random()
        if x < 0.05:
            return [([self.name("pfdebug")] + self.rng.choice([[], ["encoding"], ["decode", self.key(), "x"]]),
                     "exact")]
        if x < 0.12:
            sub = self.rng.choice(["foo", "selftest", "getregs", "", "dense"])
        else:
            sub = self.rng.choice(PFDEBUG_SUBCOMMANDS[:2] if self.watching else PFDEBUG_SUBCOMMANDS)
        return [([self.name("pfdebug"), self.name(sub), self.key()], "exact")]

    # ---- lists: the same keys again (WRONGTYPE with every other type both
    # ways); elements from a small pool, so LREM, LPOS and LINSERT find
    # matches. Every reply compared exactly: a list has one order. ----
    def list_element(self):
        if self.rng.random() < 0.05:
            return self.val()
        return self.rng.choices(LIST_ELEMENTS, LIST_ELEMENT_WEIGHTS)[0]

    def list_elements(self, lo, hi):
        return [self.list_element() for _ in range(self.rng.randint(lo, hi))]

    def list_index(self):
        """An index: from LIST_INDICES, or (a quarter of the time) anywhere
        in a list of up to 600 elements, from either end."""
        if self.rng.random() < 0.25:
            return self.rng.randint(-600, 600)
        return self.rng.choice(LIST_INDICES)

    def list_end(self):
        return self.rng.choice(BAD_LIST_ENDS) if self.rng.random() < 0.04 else self.rng.choice(LIST_ENDS)

    def g_lpush(self):
        """LPUSH / RPUSH / LPUSHX / RPUSHX of a few elements, or of hundreds
        (long lists: several quicklist nodes in Redis)."""
        cmd = self.rng.choice(["lpush", "rpush", "lpush", "rpush", "lpushx", "rpushx"])
        args = [self.name(cmd), self.key()]
        if self.rng.random() < (LIST_BULK_SHARE if self.list_focus else 0.01):
            return [(args + self.rng.choices(LIST_ELEMENTS, LIST_ELEMENT_WEIGHTS, k=self.rng.randint(100, 500)),
                     "exact")]
        return [(args + self.list_elements(1, 5), "exact")]

    def g_lpop(self):
        args = [self.name(self.rng.choice(["lpop", "rpop"])), self.key()]
        x = self.rng.random()
        if x < 0.6:
            args.append(self.rng.choice(LIST_POP_COUNTS))
        if x < 0.03:
            args.append(self.rng.choice([1, "COUNT"]))  # too many arguments
        return [(args, "exact")]

    def g_llen(self):
        return [([self.name("llen"), self.key()], "exact")]

    def g_lindex(self):
        return [([self.name("lindex"), self.key(), self.list_index()], "exact")]

    def g_lrange(self):
        args = [self.name("lrange"), self.key()]
        if self.rng.random() < 0.35:
            return [(args + [0, -1], "exact")]
        return [(args + [self.list_index(), self.list_index()], "exact")]

    def g_lset(self):
        return [([self.name("lset"), self.key(), self.list_index(), self.list_element()], "exact")]

    def g_lrem(self):
        return [([self.name("lrem"), self.key(), self.rng.choice(LREM_COUNTS), self.list_element()], "exact")]

    def g_ltrim(self):
        """LTRIM ranges of every kind: everything kept (a write all the same:
        WATCH and the ltrim event see it on both), nothing kept (start past
        the end, start after stop: the key goes), the head, the tail, the
        middle, past the ends, bad integers."""
        x = self.rng.random()
        if x < 0.15:
            start, stop = self.rng.choice([(0, -1), (0, 1000), (-1000, -1), (-1000, 1000)])
        elif x < 0.25:
            start, stop = self.rng.choice([(1, 0), (5, 2), (-1, -2), (1000, 2000), (-1, 0), (2, 1), (0, -1000)])
        elif x < 0.4:
            start, stop = 0, self.rng.randint(0, 300)
        elif x < 0.55:
            start, stop = -self.rng.randint(1, 300), -1
        elif x < 0.7:
            start = self.rng.randint(0, 100)
            stop = self.rng.randint(0, 400) if self.rng.random() < 0.5 else -self.rng.randint(1, 100)
        else:
            start, stop = self.list_index(), self.list_index()
        return [([self.name("ltrim"), self.key(), start, stop], "exact")]

    def g_linsert(self):
        where = self.rng.choice(["BEFORE", "AFTER", "before", "After"])
        if self.rng.random() < 0.05:
            where = self.rng.choice(["BEFOR", "", "LEFT", "AFTERX"])  # a syntax error, before the key's type
        return [([self.name("linsert"), self.key(), where, self.list_element(), self.list_element()], "exact")]

    def g_lpos(self):
        """LPOS with its options in any order: RANK (0, negative, the 64-bit
        edges), COUNT (0: all), MAXLEN (0: no limit); repeated (the last one
        counts), unknown, or missing their value."""
        args = [self.name("lpos"), self.key(), self.list_element()]
        opts = []
        if self.rng.random() < 0.5:
            opts.append([self.case("RANK"), self.rng.choice(LPOS_RANKS)])
        if self.rng.random() < 0.5:
            opts.append([self.case("COUNT"), self.rng.choice(LPOS_COUNTS)])
        if self.rng.random() < 0.35:
            opts.append([self.case("MAXLEN"), self.rng.choice(LPOS_MAXLENS)])
        y = self.rng.random()
        if y < 0.1:
            opts.append([self.case(self.rng.choice(["RANK", "COUNT", "MAXLEN"])), self.rng.choice([1, 2, -1, 0, 5])])
        elif y < 0.15:
            opts.append([self.rng.choice(["FOO", "RANK", "COUNT", "MAXLEN", "1", ""])])
        self.rng.shuffle(opts)
        for o in opts:
            args += o
        return [(args, "exact")]

    def g_lmove(self):
        src = self.key()
        dst = src if self.rng.random() < 0.2 else self.key()  # a rotation
        if self.rng.random() < 0.3:
            return [([self.name("rpoplpush"), src, dst], "exact")]
        return [([self.name("lmove"), src, dst, self.list_end(), self.list_end()], "exact")]

    def mpop_tail(self, keys, where=None):
        """numkeys, the keys, WHERE and COUNT of LMPOP / BLMPOP (WHERE:
        LEFT|RIGHT) or ZMPOP / BZMPOP (`where` draws MIN|MAX): numkeys 0,
        negative, not a number, more or fewer than the keys given; COUNT 0,
        negative, repeated, without its value; unknown options. Also the
        keys a blocking form looks at (none where the arguments are
        wrong)."""
        numkeys = len(keys)
        if self.rng.random() < 0.15:
            numkeys = self.rng.choice([0, -1, "x", "", len(keys) + 1, len(keys) + 5, len(keys) - 1, "1.5",
                                       "9223372036854775807", "9223372036854775808"])
        args = [numkeys] + keys + [where() if where else self.list_end()]
        y = self.rng.random()
        if y < 0.45:
            args += [self.case("COUNT"), self.rng.choice(LMPOP_COUNTS)]
        elif y < 0.55:
            args += self.rng.choice([["COUNT"], ["COUNT", 1, "COUNT", 2], ["FOO"], ["COUNT", 2, "FOO"], ["count", 0],
                                     ["COUNT", -1], ["COUNT", 3, "count", 3]])
        return args, (keys if numkeys == len(keys) else [])

    def g_lmpop(self):
        args, _ = self.mpop_tail(self.keys(1, 3))
        return [([self.name("lmpop")] + args, "exact")]

    def g_blocking(self):
        """BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP. Inside MULTI (where
        they never block) as they come, with any timeout; elsewhere through
        blocking_step, which makes sure they do not wait long."""
        cmd = self.rng.choice(["blpop", "brpop", "blmove", "brpoplpush", "blmpop", "blpop"])
        timeout = self.rng.choice(BAD_TIMEOUTS) if self.rng.random() < 0.2 else self.rng.choice(BLOCK_TIMEOUTS)
        name = self.name(cmd)
        if cmd in ("blpop", "brpop"):
            keys = self.keys(1, 3)
            args, at = [name] + keys + [timeout], len(keys) + 1
        elif cmd in ("blmove", "brpoplpush"):
            src = self.key()
            dst = src if self.rng.random() < 0.2 else self.key()
            keys = [src]
            if cmd == "blmove":
                args, at = [name, src, dst, self.list_end(), self.list_end(), timeout], 5
            else:
                args, at = [name, src, dst, timeout], 3
        else:
            tail, keys = self.mpop_tail(self.keys(1, 3))
            args, at = [name, timeout] + tail, 1
        if self.in_multi:
            return [(args, "exact")]
        return ("blocking", args, keys, at)

    def blocking_step(self, label, args, keys, at):
        """A blocking command outside MULTI that must not wait for ever (nor
        long: Redis serves a timeout in its cron, about 100 ms late). Run as
        it is where it cannot block: a bad timeout (refused before any key is
        looked up), arguments that leave no key to wait on (refused too), or
        a key that exists (EXISTS first, compared: a list there has
        elements; another type is WRONGTYPE). Where every key is missing, the
        timeout becomes SHORT_TIMEOUT (a real wait and its null reply: at
        most MAX_WAITS per sequence), or one of the keys gets an element
        first (RPUSH or LPUSH, compared)."""
        if args[at] in BAD_TIMEOUTS or not keys:
            self.r.do(label, *args)
            return
        ea, eb = self.r.do(label, "EXISTS", *keys)
        if ea == eb and ea[0] == ":" and ea[1] > 0:
            self.r.do(label, *args)
            return
        if ea != eb or (self.waits < MAX_WAITS and self.rng.random() < WAIT_SHARE):
            self.waits += 1
            args = list(args)
            args[at] = SHORT_TIMEOUT
        else:
            self.r.do(label, self.name(self.rng.choice(["rpush", "lpush"])), self.rng.choice(keys),
                      *self.list_elements(1, 3))
        self.r.do(label, *args)

    # ---- sorted sets: the same keys again (WRONGTYPE with every other type
    # both ways; ZUNION / ZINTER / ZDIFF take plain sets as inputs of score
    # 1). Their order is Redis's: by score, ties by the member's bytes, so
    # every reply is compared exactly, but for ZRANDMEMBER (random: see
    # zrandmember_step), ZSCAN (cursors: see Runner.zscan_all) and the lex
    # commands, which Redis leaves unspecified where scores differ: run
    # only where the set's scores are all equal (see zlex_step). ----
    def zmember(self):
        return self.rng.choices(ZMEMBERS, ZMEMBER_WEIGHTS)[0]

    def zmembers(self, lo, hi):
        return [self.zmember() for _ in range(self.rng.randint(lo, hi))]

    def zscore(self, bad_share=0.04):
        if self.rng.random() < bad_share:
            return self.rng.choice(BAD_ZSCORES)
        return self.rng.choices(ZSCORES, ZSCORE_WEIGHTS)[0]

    def zpairs(self, lo, hi, bad_share=0.0):
        out = []
        for _ in range(self.rng.randint(lo, hi)):
            out += [self.zscore(bad_share), self.zmember()]
        return out

    def zbulk(self):
        """Members "m<i>" with scores i % 7 (ties), 100-300 of them: past
        zset-max-listpack-entries (128) or not."""
        base = self.rng.choice([0, 0, 50, 1000])
        n = self.rng.choice([100, 127, 128, 129, 200, 300])
        return [x for i in range(base, base + n) for x in (i % 7, b"m%d" % i)]

    def zrange_score(self):
        if self.rng.random() < 0.05:
            return self.rng.choice(BAD_ZRANGE_SCORES)
        return self.rng.choice(ZRANGE_SCORES)

    def zlex(self):
        if self.rng.random() < 0.05:
            return self.rng.choice(BAD_ZLEX)
        return self.rng.choice(ZLEX)

    def zrank(self):
        if self.rng.random() < 0.25:
            return self.rng.randint(-150, 150)
        if self.rng.random() < 0.05:
            return self.rng.choice(BAD_ZRANKS)
        return self.rng.choice(ZRANKS)

    def zlimit(self):
        if self.rng.random() < 0.08:
            return self.rng.choice([["LIMIT"], ["LIMIT", 0], ["LIMIT", "x", 1], ["LIMIT", 0, "y"]])
        return [self.case("LIMIT"), self.rng.choice([0, 0, 1, 2, 5, -1, 100, "9223372036854775807"]),
                self.rng.choice([-1, -1, 0, 1, 2, 3, 10, -5, "9223372036854775807"])]

    def g_zadd(self):
        """ZADD with its flags in any combination (NX XX GT LT CH INCR: the
        incompatible ones are errors), a few pairs (sometimes a bad score),
        or a bulk of 100-300 members; now and then an odd argument count."""
        key = self.key()
        args = [self.name("zadd"), key]
        if self.rng.random() < (ZSET_BULK_SHARE if self.zset_focus else 0.01):
            return [(args + self.zbulk(), "exact")]
        flags = []
        x = self.rng.random()
        if x < 0.45:
            for f in ("NX", "XX", "GT", "LT", "CH", "INCR"):
                if self.rng.random() < 0.18:
                    flags.append(self.case(f))
            self.rng.shuffle(flags)
        elif x < 0.5:
            flags = [self.rng.choice(["FOO", "NX", "INCR"])]
        incr = any(str(f).upper() == "INCR" for f in flags)
        pairs = self.zpairs(1, 1 if incr and self.rng.random() < 0.85 else 4, bad_share=0.05)
        if self.rng.random() < 0.03:
            pairs.append(self.zmember())  # an odd number of score/member arguments
        return [(args + flags + pairs, "exact")]

    def g_zincrby(self):
        return [([self.name("zincrby"), self.key(), self.zscore(0.08), self.zmember()], "exact")]

    def g_zrem(self):
        return [([self.name("zrem"), self.key()] + self.zmembers(1, 3), "exact")]

    def g_zcard(self):
        return [([self.name("zcard"), self.key()], "exact")]

    def g_zscore(self):
        if self.rng.random() < 0.6:
            return [([self.name("zscore"), self.key(), self.zmember()], "exact")]
        return [([self.name("zmscore"), self.key()] + self.zmembers(1, 4), "exact")]

    def g_zcount(self):
        return [([self.name("zcount"), self.key(), self.zrange_score(), self.zrange_score()], "exact")]

    def g_zrank(self):
        return [([self.name(self.rng.choice(["zrank", "zrevrank"])), self.key(), self.zmember()], "exact")]

    def g_zrange(self):
        """ZRANGE by rank (REV, WITHSCORES), BYSCORE (REV: max first, LIMIT),
        its error combinations (LIMIT without BYSCORE / BYLEX), and
        ZREVRANGE."""
        key = self.key()
        if self.rng.random() < 0.2:
            args = [self.name("zrevrange"), key, self.zrank(), self.zrank()]
            if self.rng.random() < 0.5:
                args.append(self.case("WITHSCORES"))
            elif self.rng.random() < 0.05:
                args.append(self.rng.choice(["WITHSCORE", "LIMIT", "REV"]))
            return [(args, "exact")]
        opts = []
        byscore = self.rng.random() < 0.35
        if byscore:
            args = [self.name("zrange"), key, self.zrange_score(), self.zrange_score()]
            opts.append([self.case("BYSCORE")])
            if self.rng.random() < 0.35:
                opts.append(self.zlimit())
        else:
            args = [self.name("zrange"), key, self.zrank(), self.zrank()]
            if self.rng.random() < 0.05:
                opts.append(self.zlimit())  # an error without BYSCORE / BYLEX
        if self.rng.random() < 0.3:
            opts.append([self.case("REV")])
        if self.rng.random() < 0.45:
            opts.append([self.case("WITHSCORES")])
        if self.rng.random() < 0.04:
            opts.append([self.rng.choice(["FOO", "BYLEX", "BYSCORE", "LIMIT", "REV"])])
        self.rng.shuffle(opts)
        for o in opts:
            args += o
        return [(args, "exact")]

    def g_zrangebyscore(self):
        rev = self.rng.random() < 0.4
        args = [self.name("zrevrangebyscore" if rev else "zrangebyscore"), self.key(), self.zrange_score(),
                self.zrange_score()]
        opts = []
        if self.rng.random() < 0.4:
            opts.append([self.case("WITHSCORES")])
        if self.rng.random() < 0.35:
            opts.append(self.zlimit())
        if self.rng.random() < 0.04:
            opts.append([self.rng.choice(["FOO", "REV", "BYSCORE", "LIMIT"])])
        self.rng.shuffle(opts)
        for o in opts:
            args += o
        return [(args, "exact")]

    def g_zlex(self):
        """ZRANGEBYLEX, ZREVRANGEBYLEX, ZRANGE BYLEX, ZLEXCOUNT and
        ZREMRANGEBYLEX: through zlex_step (the key's scores all equal), or
        with arguments that are errors before any lookup (compared as they
        come, inside MULTI too)."""
        key = self.key()
        x = self.rng.random()
        if x < 0.25:
            cmd = self.rng.choice(["zrangebylex", "zrevrangebylex"])
            args = [self.name(cmd), key, self.zlex(), self.zlex()]
            if self.rng.random() < 0.3:
                args += self.zlimit()
            if self.rng.random() < 0.05:
                args.append(self.rng.choice(["WITHSCORES", "FOO"]))
        elif x < 0.5:
            args = [self.name("zrange"), key, self.zlex(), self.zlex(), self.case("BYLEX")]
            if self.rng.random() < 0.3:
                args.append(self.case("REV"))
            if self.rng.random() < 0.3:
                args += self.zlimit()
            if self.rng.random() < 0.06:
                args.append(self.case("WITHSCORES"))  # an error with BYLEX
        elif x < 0.8:
            args = [self.name("zlexcount"), key, self.zlex(), self.zlex()]
        else:
            args = [self.name("zremrangebylex"), key, self.zlex(), self.zlex()]
        if self.in_multi:
            return [(args, "exact")] if any(a in BAD_ZLEX for a in args[2:4]) else self.g_zcard()
        return ("zlex", args)

    def zlex_step(self, label, args):
        """A lex command where Redis specifies its reply: ZRANGE key 0 -1
        WITHSCORES first (compared); run only if that shows no member, or
        every member with the same score, or is an error (WRONGTYPE), or the
        range is an error. Otherwise half the time the key's members all get
        score 0 first (ZADD, compared), and the command runs."""
        key = args[1]
        ra, _ = self.r.do(label, "ZRANGE", key, 0, -1, "WITHSCORES")
        if ra[0] == "*" and ra[1] and not any(a in BAD_ZLEX for a in args[2:4]):
            scores = {x[1] for x in ra[1][1::2]} if self.proto == 2 else {x[1][1] for x in ra[1]}
            if len(scores) > 1:
                if self.rng.random() < 0.5:
                    return
                members = ra[1][0::2] if self.proto == 2 else [x[1][0] for x in ra[1]]
                self.r.do(label, "ZADD", key, *[y for m in members for y in (0, m[1])])
        self.r.do(label, *args)

    def g_zrangestore(self):
        dst, src = self.key(), self.key()
        x = self.rng.random()
        if x < 0.5:
            args = [self.name("zrangestore"), dst, src, self.zrank(), self.zrank()]
            if self.rng.random() < 0.05:
                args += self.zlimit()
        else:
            args = [self.name("zrangestore"), dst, src, self.zrange_score(), self.zrange_score(), self.case("BYSCORE")]
            if self.rng.random() < 0.35:
                args += self.zlimit()
        if self.rng.random() < 0.3:
            args.append(self.case("REV"))
        if self.rng.random() < 0.05:
            args.append(self.rng.choice(["WITHSCORES", "FOO"]))  # errors: ZRANGESTORE takes no WITHSCORES
        return [(args, "exact")]

    def g_zremrange(self):
        key = self.key()
        if self.rng.random() < 0.5:
            return [([self.name("zremrangebyrank"), key, self.zrank(), self.zrank()], "exact")]
        return [([self.name("zremrangebyscore"), key, self.zrange_score(), self.zrange_score()], "exact")]

    def g_zscan(self):
        return "zscan"

    def g_zrandmember(self):
        """ZRANDMEMBER: random by definition (see INTENTIONAL_DIFFERENCES),
        compared as HRANDFIELD (its mode), then checked against each
        server's own set in zrandmember_step."""
        args = [self.name("zrandmember"), self.key()]
        count, withscores = None, False
        if self.rng.random() < 0.8:
            count = self.rng.choice(ZRANDMEMBER_COUNTS)
            if self.rng.random() < 0.03:
                count = self.rng.choice(["-9223372036854775808", "9223372036854775807", "4611686018427387904"])
            args.append(count)
            y = self.rng.random()
            if y < 0.4:
                args.append(self.case("WITHSCORES"))
                withscores = True
            elif y < 0.44:
                args.append(self.rng.choice(["WITHSCORE", "foo", ""]))
        n = int(count) if count is not None and str(count).lstrip("-").isdigit() else None
        if self.rng.random() < 0.4:
            return [(args, (HRANDFIELD, n, withscores))]
        return ("zrandmember", args, n, withscores)

    def zrandmember_step(self, label, args, count, withscores):
        """ZRANDMEMBER by shape (HRANDFIELD's mode), then each server's
        answer against its own set (ZRANGE 0 -1 WITHSCORES, compared
        exactly): every member returned is a member, with its score."""
        ra, rb = self.r.do(label, *args, mode=(HRANDFIELD, count, withscores))
        key = args[1]
        if ra[0] not in "$*" or rb[0] not in "$*" or ra[1] is None or rb[1] is None or \
                (ra[0] == "*" and not ra[1]):
            return
        whole, _ = self.r.do(label, "ZRANGE", key, 0, -1, "WITHSCORES")
        if whole[0] != "*" or whole[1] is None:
            return
        if self.proto == 2:
            own = {(m[1], s[1]) for m, s in zip(whole[1][0::2], whole[1][1::2])}
        else:
            own = {(x[1][0][1], x[1][1][1]) for x in whole[1]}
        members = {m for m, _ in own}
        for side, reply in enumerate((ra, rb)):
            if reply[0] == "$":
                got = [(reply[1], None)]
            elif withscores:
                items = reply[1]
                if items and items[0][0] == "*":
                    got = [(x[1][0][1], x[1][1][1]) for x in items]
                else:
                    got = [(m[1], s[1]) for m, s in zip(items[0::2], items[1::2])]
            else:
                got = [(x[1], None) for x in reply[1]]
            stray = [g for g in got if (g not in own if g[1] is not None else g[0] not in members)]
            if stray:
                self.r._fail(label, f"{fmt_args(args)} (entries not in {self.r.names[side]}'s own sorted set: "
                             f"{stray[:3]})", ra, rb)

    def g_zpop(self):
        args = [self.name(self.rng.choice(["zpopmin", "zpopmax"])), self.key()]
        if self.rng.random() < 0.6:
            args.append(self.rng.choice(ZPOP_COUNTS))
        if self.rng.random() < 0.03:
            args.append(self.rng.choice([1, "COUNT"]))  # too many arguments
        return [(args, "exact")]

    def zset_where(self):
        """MIN|MAX in any case, now and then a wrong word."""
        if self.rng.random() > 0.04:
            return self.rng.choice(["MIN", "MAX", "min", "Max"])
        return self.rng.choice(["LEFT", "", "MINN", "0"])

    def zmpop_tail(self, keys):
        """ZMPOP / BZMPOP's numkeys, keys, MIN|MAX and COUNT (mpop_tail)."""
        return self.mpop_tail(keys, self.zset_where)

    def g_zmpop(self):
        args, _ = self.zmpop_tail(self.keys(1, 3))
        return [([self.name("zmpop")] + args, "exact")]

    def g_zblocking(self):
        """BZPOPMIN, BZPOPMAX, BZMPOP: as g_blocking for the lists (inside
        MULTI as they come; elsewhere never waiting long)."""
        cmd = self.rng.choice(["bzpopmin", "bzpopmax", "bzmpop"])
        timeout = self.rng.choice(BAD_TIMEOUTS) if self.rng.random() < 0.2 else self.rng.choice(BLOCK_TIMEOUTS)
        name = self.name(cmd)
        if cmd != "bzmpop":
            keys = self.keys(1, 3)
            args, at = [name] + keys + [timeout], len(keys) + 1
        else:
            tail, keys = self.zmpop_tail(self.keys(1, 3))
            args, at = [name, timeout] + tail, 1
        if self.in_multi:
            return [(args, "exact")]
        return ("zblocking", args, keys, at)

    def zblocking_step(self, label, args, keys, at):
        """As blocking_step, the element put first by ZADD."""
        if args[at] in BAD_TIMEOUTS or not keys:
            self.r.do(label, *args)
            return
        ea, eb = self.r.do(label, "EXISTS", *keys)
        if ea == eb and ea[0] == ":" and ea[1] > 0:
            self.r.do(label, *args)
            return
        if ea != eb or (self.waits < MAX_WAITS and self.rng.random() < WAIT_SHARE):
            self.waits += 1
            args = list(args)
            args[at] = SHORT_TIMEOUT
        else:
            self.r.do(label, self.name("zadd"), self.rng.choice(keys), *self.zpairs(1, 3))
        self.r.do(label, *args)

    def zsetop_tail(self, store):
        """numkeys, the keys, WEIGHTS, AGGREGATE and (not for the STORE
        forms) WITHSCORES of ZUNION / ZINTER, in any order; wrong counts of
        weights, bad weights, unknown aggregates."""
        keys = self.keys(1, 3)
        numkeys = len(keys)
        if self.rng.random() < 0.1:
            numkeys = self.rng.choice([0, -1, "x", "", len(keys) + 1, len(keys) + 5, len(keys) - 1,
                                       "9223372036854775808"])
        args = [numkeys] + keys
        opts = []
        if self.rng.random() < 0.35:
            n = len(keys) if self.rng.random() < 0.9 else self.rng.choice([0, len(keys) + 1, max(0, len(keys) - 1)])
            w = [self.rng.choice(ZWEIGHTS) for _ in range(n)]
            if self.rng.random() < 0.05:
                w[-1:] = [self.rng.choice(BAD_ZWEIGHTS)]
            opts.append([self.case("WEIGHTS")] + w)
        if self.rng.random() < 0.35:
            opts.append([self.case("AGGREGATE"), self.rng.choice(["SUM", "MIN", "MAX", "min", "Max", "sum"]
                                                                 if self.rng.random() > 0.05 else ["AVG", ""])])
        if not store and self.rng.random() < 0.45:
            opts.append([self.case("WITHSCORES")])
        if self.rng.random() < 0.04:
            opts.append([self.rng.choice(["FOO", "AGGREGATE", "WEIGHTS", "WITHSCORES" if store else "LIMIT"])])
        self.rng.shuffle(opts)
        for o in opts:
            args += o
        return args

    def g_zsetop(self):
        cmd = self.rng.choice(["zunion", "zinter", "zdiff", "zunion", "zinter"])
        if cmd == "zdiff":
            keys = self.keys(1, 3)
            numkeys = len(keys) if self.rng.random() > 0.1 else self.rng.choice([0, -1, "x", len(keys) + 1])
            args = [self.name(cmd), numkeys] + keys
            if self.rng.random() < 0.45:
                args.append(self.case("WITHSCORES"))
            elif self.rng.random() < 0.05:
                args.append(self.rng.choice(["WEIGHTS", "AGGREGATE"]))  # ZDIFF takes neither
            return [(args, "exact")]
        return [([self.name(cmd)] + self.zsetop_tail(False), "exact")]

    def g_zsetopstore(self):
        cmd = self.rng.choice(["zunionstore", "zinterstore", "zdiffstore"])
        if cmd == "zdiffstore":
            keys = self.keys(1, 3)
            numkeys = len(keys) if self.rng.random() > 0.1 else self.rng.choice([0, -1, "x", len(keys) + 1])
            return [([self.name(cmd), self.key(), numkeys] + keys, "exact")]
        return [([self.name(cmd), self.key()] + self.zsetop_tail(True), "exact")]

    def g_zintercard(self):
        keys = self.keys(1, 3)
        numkeys = len(keys)
        if self.rng.random() < 0.12:
            numkeys = self.rng.choice([0, -1, "x", "", len(keys) + 1, len(keys) - 1, "9223372036854775808"])
        args = [self.name("zintercard"), numkeys] + keys
        y = self.rng.random()
        if y < 0.35:
            args += [self.case("LIMIT"), self.rng.choice([0, 0, 1, 2, 3, 100, "9223372036854775807"])]
        elif y < 0.45:
            args += self.rng.choice([["LIMIT"], ["LIMIT", -1], ["LIMIT", "x"], ["FOO"], ["LIMIT", 1, "LIMIT", 2]])
        return [(args, "exact")]

    def g_sort(self):
        """SORT / SORT_RO over any key: always ALPHA (a numeric sort of
        non-integers fails in Redis 7.0 after any ERANGE, see
        differential_sort.py, and ZADD's scores make some), so no element
        or member pair is tied; BY nosort only with STORE, where a set is
        sorted too; GET '#' or '*' (the element as a key's name). Outside
        MULTI only, after a TYPE (see run_steps)."""
        cmd = "sort" if self.rng.random() < 0.7 else "sort_ro"
        args = [self.name(cmd), self.key()]
        opts = [[self.case("ALPHA")]]
        if self.rng.random() < 0.4:
            opts.append([self.case("DESC")])
        if self.rng.random() < 0.4:
            opts.append([self.case("LIMIT"), self.rng.choice([0, 0, 1, 2, -1, "9223372036854775807"]),
                         self.rng.choice([1, 2, 3, -1, 0, "9223372036854775807"])])
        if self.rng.random() < 0.3:
            opts.append([self.case("GET"), self.rng.choice(["#", "*", "*->f0"])])
        if cmd == "sort" and self.rng.random() < 0.35:
            opts.append([self.case("STORE"), self.key()])
            if self.rng.random() < 0.4:
                opts.append([self.case("BY"), "nosort"])
        if self.rng.random() < 0.03:
            opts.append([self.rng.choice(["FOO", "LIMIT"])])
        self.rng.shuffle(opts)
        for o in opts:
            args += o
        return ("sort", args)  # run_steps: not on a sorted set (INTENTIONAL_DIFFERENCES)

    def g_geo(self):
        """The GEO commands on the sorted-set keys (whatever their scores:
        Redis decodes any score): GEOADD (NX, XX, CH; a bad pair now and
        then), GEOPOS, GEOHASH, GEODIST, and the searches (GEORADIUS,
        GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH, GEOSEARCHSTORE) with
        options in any order, STORE / STOREDIST, and misplaced ones."""
        rng = self.rng
        key = self.key()
        x = rng.random()
        if x < 0.3:
            args = [self.name("geoadd"), key] + [self.case(f) for f in ("NX", "XX", "CH") if rng.random() < 0.12]
            for _ in range(rng.randint(1, 3)):
                args += [rng.choice(GEO_LONS[:-2]) if rng.random() < 0.95 else rng.choice(GEO_LONS),
                         rng.choice(GEO_LATS[:-2]) if rng.random() < 0.95 else rng.choice(GEO_LATS), self.zmember()]
            if rng.random() < 0.03:
                args.append(self.zmember())
            return [(args, "exact")]
        if x < 0.42:
            return [([self.name(rng.choice(["geopos", "geohash"])), key] + self.zmembers(0, 3), "exact")]
        if x < 0.5:
            return [([self.name("geodist"), key, self.zmember(), self.zmember()] +
                     ([rng.choice(GEO_UNITS)] if rng.random() < 0.6 else []), "exact")]
        cmd = rng.choice(["georadius", "georadius_ro", "georadiusbymember", "georadiusbymember_ro", "geosearch",
                          "geosearchstore"])
        radius = rng.choice(GEO_RADII[:-2]) if rng.random() < 0.95 else rng.choice(GEO_RADII)
        unit = rng.choice(GEO_UNITS[:-1]) if rng.random() < 0.95 else GEO_UNITS[-1]
        lonlat = [rng.choice(GEO_LONS[:-2]), rng.choice(GEO_LATS[:-2])]
        opts = []
        if cmd.startswith("georadius"):
            args = [self.name(cmd), key] + ([self.zmember()] if "member" in cmd else lonlat) + [radius, unit]
        else:
            args = [self.name(cmd)] + ([self.key()] if cmd == "geosearchstore" else []) + [key]
            opts.append([self.case("FROMMEMBER"), self.zmember()] if rng.random() < 0.5
                        else [self.case("FROMLONLAT")] + lonlat)
            opts.append([self.case("BYRADIUS"), radius, unit] if rng.random() < 0.5
                        else [self.case("BYBOX"), radius, rng.choice(GEO_RADII[:-2]), unit])
        store = cmd in ("georadius", "georadiusbymember", "geosearchstore")
        for opt, share in (("WITHDIST", 0.1 if store else 0.3), ("WITHCOORD", 0.05 if store else 0.2),
                           ("WITHHASH", 0.05 if store else 0.2), ("ASC", 0.2), ("DESC", 0.2)):
            if rng.random() < share:
                opts.append([self.case(opt)])
        if rng.random() < 0.4:
            opts.append([self.case("COUNT"), rng.choice([1, 1, 2, 3, 5, 10, 0, -1, "x"])] +
                        ([self.case("ANY")] if rng.random() < 0.3 else []))
        if cmd in ("georadius", "georadiusbymember") and rng.random() < 0.4:
            opts.append([self.case(rng.choice(["STORE", "STOREDIST"])), self.key()])
        if cmd == "geosearchstore" and rng.random() < 0.4:
            opts.append([self.case("STOREDIST")])
        if rng.random() < 0.04:
            opts.append([rng.choice(["FOO", "COUNT", "STORE", "ANY", "BYRADIUS"])])
        rng.shuffle(opts)
        for o in opts:
            args += o
        return [(args, "exact")]

    GENERATORS = [
        ("g_ping", 2), ("g_echo", 1), ("g_select", 3), ("g_exists", 6), ("g_type", 2), ("g_rename", 4),
        ("g_keys", 3), ("g_dbsize", 2), ("g_flush", 1), ("g_copy", 4), ("g_expire", 8), ("g_ttl", 6),
        ("g_persist", 2), ("g_get", 8), ("g_set", 14), ("g_setnx", 2), ("g_setex", 3), ("g_getset", 2),
        ("g_getex", 4), ("g_mget", 3), ("g_mset", 4), ("g_incr", 6), ("g_incrbyfloat", 4), ("g_append", 3),
        ("g_getrange", 3), ("g_setrange", 3), ("g_unknown", 1), ("g_arity", 2), ("g_randomkey", 1),
        ("g_scan", 1), ("g_dump", 2), ("g_restore", 2), ("g_touch", 2), ("g_substr", 1), ("g_lcs", 3), ("g_move", 3), ("g_object", 2),
        ("g_publish", 2), ("g_setbit", 4), ("g_getbit", 2), ("g_bitcount", 2), ("g_bitpos", 2), ("g_bitop", 2),
        ("g_bitfield", 3), ("g_eval", 4),
        ("g_hset", 15), ("g_hsetnx", 2), ("g_hget", 6), ("g_hmget", 3), ("g_hdel", 4), ("g_hlen", 2),
        ("g_hincrby", 5), ("g_hgetall", 5), ("g_hrandfield", 3), ("g_hscan", 2),
        ("g_sadd", 15), ("g_srem", 4), ("g_scard", 2), ("g_sismember", 4), ("g_smembers", 5), ("g_smove", 4),
        ("g_sinter", 4), ("g_sunion", 3), ("g_sstore", 4), ("g_srandmember", 3), ("g_spop", 4), ("g_sscan", 2),
        ("g_pfadd", 5), ("g_pfcount", 3), ("g_pfmerge", 2), ("g_pfdebug", 2),
        ("g_lpush", 14), ("g_lpop", 5), ("g_llen", 2), ("g_lindex", 3), ("g_lrange", 4), ("g_lset", 3),
        ("g_lrem", 3), ("g_ltrim", 3), ("g_linsert", 3), ("g_lpos", 4), ("g_lmove", 4), ("g_lmpop", 3),
        ("g_blocking", 3),
        ("g_zadd", 14), ("g_zincrby", 3), ("g_zrem", 3), ("g_zcard", 2), ("g_zscore", 4), ("g_zcount", 2),
        ("g_zrank", 3), ("g_zrange", 6), ("g_zrangebyscore", 4), ("g_zlex", 3), ("g_zrangestore", 2),
        ("g_zremrange", 2), ("g_zscan", 1), ("g_zrandmember", 2), ("g_zpop", 3), ("g_zmpop", 2),
        ("g_zblocking", 2), ("g_zsetop", 4), ("g_zsetopstore", 3), ("g_zintercard", 1),
        ("g_geo", 5),
        ("g_sort", 2),
    ] + StreamGen.STREAM_WEIGHTS

    SET_GENERATORS = {"g_sadd", "g_srem", "g_scard", "g_sismember", "g_smembers", "g_smove", "g_sinter", "g_sunion",
                      "g_sstore", "g_srandmember", "g_spop", "g_sscan"}
    HLL_GENERATORS = {"g_pfadd", "g_pfcount", "g_pfmerge", "g_pfdebug"}
    LIST_GENERATORS = {"g_lpush", "g_lpop", "g_llen", "g_lindex", "g_lrange", "g_lset", "g_lrem", "g_ltrim",
                       "g_linsert", "g_lpos", "g_lmove", "g_lmpop", "g_blocking"}

    ZSET_GENERATORS = {"g_zadd", "g_zincrby", "g_zrem", "g_zcard", "g_zscore", "g_zcount", "g_zrank", "g_zrange",
                       "g_zrangebyscore", "g_zlex", "g_zrangestore", "g_zremrange", "g_zscan", "g_zrandmember",
                       "g_zpop", "g_zmpop", "g_zblocking", "g_zsetop", "g_zsetopstore", "g_zintercard",
                       "g_geo"}

    def weight(self, name, w):
        if self.watching and name in self.STREAM_WATCH_BLIND:
            return 0  # Redis hides these writes from WATCH (INTENTIONAL_DIFFERENCES)
        if self.zset_focus and name in self.ZSET_GENERATORS:
            return w * ZSET_FOCUS
        if self.set_focus and name in self.SET_GENERATORS:
            return w * SET_FOCUS
        if self.hll_focus and name in self.HLL_GENERATORS:
            return w * HLL_FOCUS
        if self.hll_focus and name in ("g_get", "g_append", "g_setrange", "g_setbit"):
            return w * HLL_FOCUS_STRINGS
        if self.list_focus and name in self.LIST_GENERATORS:
            return w * LIST_FOCUS
        if self.stream_focus and name in self.STREAM_GENERATORS:
            return w * STREAM_FOCUS
        return w

    def random_steps(self, in_multi):
        names = [n for n, _ in self.GENERATORS]
        weights = [self.weight(n, w) for n, w in self.GENERATORS]
        self.in_multi = in_multi
        while True:
            g = self.rng.choices(names, weights)[0]
            steps = getattr(self, g)()
            if not isinstance(steps, list) and in_multi:
                continue  # RANDOMKEY / SCAN cursors / DUMP payloads cannot be compared inside EXEC
            return steps

    # ---- executing ----
    def run_steps(self, label, steps):
        if steps == "randomkey":
            self.r.do(label, self.name("exists"), *KEYS)  # see g_dbsize
            a, _ = self.r.do(label, self.name("dbsize"))
            ka, kb = self.r.do(label, self.name("randomkey"), mode="exact" if a == (":", 1) else "nilness")
            if ka[0] == "$" and ka[1] is not None and kb[0] == "$" and kb[1] is not None:
                # Each server's pick must be a live key.
                self.r.do_split(label, ("EXISTS", ka[1]), ("EXISTS", kb[1]), "EXISTS <the key RANDOMKEY returned>")
        elif steps == "dump":
            # Payloads are Redis's format on both sides, but Redis compresses
            # values over 20 bytes with LZF and tmkv does not: compared by
            # what they restore to. Each server restores its own payload,
            # then each payload is restored on both (tmkv must read Redis's
            # and Redis tmkv's).
            key = self.key()
            t, _ = self.r.do(label, self.name("type"), key)
            ka, kb = self.r.do(label, self.name("dump"), key, mode=SAME_TYPE)
            if ka[0] == "$" and ka[1] is not None and kb[0] == "$" and kb[1] is not None:
                dst = self.key()
                self.r.do_split(label, ("RESTORE", dst, 0, ka[1], "REPLACE"), ("RESTORE", dst, 0, kb[1], "REPLACE"),
                                f"RESTORE {dst!r} 0 <each server's own DUMP> REPLACE")
                self.check_restored(label, dst)
                for payload in (ka[1], kb[1]):
                    self.r.do(label, "RESTORE", dst, 0, payload, "REPLACE")
                    self.check_restored(label, dst)
        elif isinstance(steps, tuple) and steps[0] == "hrandfield":
            self.hrandfield_step(label, *steps[1:])
        elif isinstance(steps, tuple) and steps[0] == "srandmember":
            self.srandmember_step(label, *steps[1:])
        elif isinstance(steps, tuple) and steps[0] == "spop":
            self.spop_step(label, *steps[1:])
        elif isinstance(steps, tuple) and steps[0] == "setorder":
            self.set_order_step(label, steps[1])
        elif isinstance(steps, tuple) and steps[0] == "blocking":
            self.blocking_step(label, *steps[1:])
        elif isinstance(steps, tuple) and steps[0] == "zrandmember":
            self.zrandmember_step(label, *steps[1:])
        elif isinstance(steps, tuple) and steps[0] == "zlex":
            self.zlex_step(label, steps[1])
        elif isinstance(steps, tuple) and steps[0] == "zblocking":
            self.zblocking_step(label, *steps[1:])
        elif isinstance(steps, tuple) and steps[0] == "sort":
            # Redis's SORT turns a listpack sorted set into a skiplist for
            # good, tmkv's does not (INTENTIONAL_DIFFERENCES): OBJECT
            # ENCODING would tell them apart later. Lists and sets only.
            t, _ = self.r.do(label, self.name("type"), steps[1][1])
            if t != ("+", b"zset"):
                self.r.do(label, *steps[1])
        elif steps == "zscan":
            key = self.key()
            if self.rng.random() < 0.08:
                # Refused before the key is looked up: compared as is.
                self.r.do(label, self.name("zscan"), key, self.rng.choice(["abc", " 0", "1.5", "18446744073709551616"]))
                return
            opts = []
            if self.rng.random() < 0.5:
                opts += [self.case("MATCH"), self.rng.choice(MEMBER_PATTERNS + [b"a*", b"x*", b"[ab]"])]
            if self.rng.random() < 0.4:
                opts += [self.case("COUNT"), self.rng.choice([1, 2, 5, 10, 1000, 0, -1, "abc"])]
            if self.rng.random() < 0.1:
                opts += self.rng.choice([["MATCH"], ["COUNT"], ["TYPE", "zset"], ["FOO", "bar"], ["NOVALUES"]])
            self.r.zscan_all(label, key, *opts)
        elif steps == "sscan":
            key = self.key()
            if self.rng.random() < 0.08:
                # Refused before the key is looked up: compared as is.
                self.r.do(label, self.name("sscan"), key, self.rng.choice(["abc", " 0", "1.5", "18446744073709551616"]))
                return
            opts = []
            if self.rng.random() < 0.5:
                opts += [self.case("MATCH"), self.rng.choice(MEMBER_PATTERNS)]
            if self.rng.random() < 0.4:
                opts += [self.case("COUNT"), self.rng.choice([1, 2, 5, 10, 1000, 0, -1, "abc"])]
            if self.rng.random() < 0.1:
                opts += self.rng.choice([["MATCH"], ["COUNT"], ["TYPE", "set"], ["FOO", "bar"], ["NOVALUES"]])
            self.r.sscan_all(label, key, *opts)
        elif steps == "hscan":
            key = self.key()
            cursor_errors = ["abc", " 0", "1.5", "18446744073709551616", "0x1"]
            if self.rng.random() < 0.08:
                # Refused before the key is looked up: compared as is.
                self.r.do(label, self.name("hscan"), key, self.rng.choice(cursor_errors))
                return
            opts = []
            if self.rng.random() < 0.5:
                opts += [self.case("MATCH"), self.rng.choice(FIELD_PATTERNS)]
            if self.rng.random() < 0.4:
                opts += [self.case("COUNT"), self.rng.choice([1, 2, 5, 10, 1000, 0, -1, "abc"])]
            if self.rng.random() < 0.1:
                opts += self.rng.choice([["MATCH"], ["COUNT"], ["TYPE", "hash"], ["FOO", "bar"], ["NOVALUES"]])
            self.r.hscan_all(label, key, *opts)
        elif steps == "scan":
            opts = []
            if self.rng.random() < 0.5:
                opts += ["MATCH", self.rng.choice(KEY_PATTERNS)]
            if self.rng.random() < 0.4:
                opts += ["COUNT", self.rng.choice([1, 2, 5, 10, 1000, 0, -1, "abc"])]
            if self.rng.random() < 0.2:
                typ = self.rng.choice(["string", "list", "none", "STRING", "hash", "HASH", "set", "Set", "zset", "ZSet",
                                      "stream"])
                opts += ["TYPE", typ]
                if typ == "none":
                    # Redis 7.0 returns a logically expired key that is not
                    # yet reclaimed under TYPE none (its lookup reclaims it
                    # and then finds no type): touch every key first, as
                    # for DBSIZE.
                    self.r.do(label, self.name("exists"), *KEYS)
            self.r.scan_all(label, *opts)
        else:
            for args, mode in steps:
                self.r.do(label, *args, mode=mode)

    def check_restored(self, label, key):
        """What a RESTORE left at key: its type, then its value (a hash's
        pairs, a set's members in any order: see INTENTIONAL_DIFFERENCES;
        a set's encoding exactly; a list whole, in order)."""
        t, _ = self.r.do(label, "TYPE", key)
        if t == ("+", b"hash"):
            self.r.do(label, "HGETALL", key, mode=PAIRS)
        elif t == ("+", b"set"):
            self.r.do(label, "SMEMBERS", key, mode=SORTED)
            self.r.do(label, "OBJECT", "ENCODING", key, mode=ENCODING)
        elif t == ("+", b"list"):
            self.r.do(label, "LRANGE", key, 0, -1)
            self.r.do(label, "OBJECT", "ENCODING", key, mode=ENCODING)
        elif t == ("+", b"zset"):
            self.r.do(label, "ZRANGE", key, 0, -1, "WITHSCORES")
            self.r.do(label, "OBJECT", "ENCODING", key, mode=ENCODING)
        elif t == ("+", b"stream"):
            self.check_restored_stream(label, key)
        else:
            self.r.do(label, "GET", key)

    def hrandfield_step(self, label, args, count, withvalues):
        """HRANDFIELD (compared by shape, see differential_core), then each
        server's answer checked against its own hash: a lone field must
        exist there (HEXISTS), a counted reply's entries must be entries of
        the hash (after an HGETALL compared as pairs)."""
        ra, rb = self.r.do(label, *args, mode=(HRANDFIELD, count, withvalues))
        key = args[1]
        if count is None:
            if ra[0] == "$" and ra[1] is not None and rb[0] == "$" and rb[1] is not None:
                self.r.do_split(label, ("HEXISTS", key, ra[1]), ("HEXISTS", key, rb[1]),
                                "HEXISTS <key> <the field HRANDFIELD returned>")
            return
        if ra[0] != "*" or rb[0] != "*" or ra[1] is None or rb[1] is None:
            return
        ha, hb = self.r.do(label, "HGETALL", key, mode=PAIRS)
        for side, (reply, whole) in enumerate(((ra, ha), (rb, hb))):
            entries = hrandfield_entries(reply, withvalues)
            pairs = hash_pairs(whole)
            if entries is None or pairs is None:
                continue  # a divergence already reported
            known = set(pairs) if withvalues else {(p[0],) for p in pairs}
            stray = [e for e in entries if e not in known]
            if stray:
                self.r._fail(label, f"{fmt_args(args)} (entries not in {self.r.names[side]}'s own hash: "
                             f"{stray[:3]})", ra, rb)

    def set_order_step(self, label, args):
        """OBJECT ENCODING of the keys that decide the order of the reply
        (SDIFF: the first; the others: every one), then the command: where
        each of them is an intset or missing, Redis lists the result in
        ascending order (SINTER walks one of them, SDIFF builds its result
        from the first, SUNION builds an intset unless it gets past 512
        members), and so must tmkv: compared in order (INTSET_ORDER)."""
        keys = args[1:2] if args[0].lower() == "sdiff" else args[1:]
        intsets = True
        for k in dict.fromkeys(keys):
            ea, _ = self.r.do(label, "OBJECT", "ENCODING", k, mode=ENCODING)
            if ea not in (("$", b"intset"), ("$", None), ("_", None)):
                intsets = False
        self.r.do(label, *args, mode=INTSET_ORDER if intsets else SORTED)

    def srandmember_step(self, label, args, count):
        srandmember_checked(self.r, label, args, count)

    def spop_step(self, label, args, count):
        spop_checked(self.r, label, args, count)

    def sequence(self, length):
        r = self.r
        r.open("A", self.proto)
        r.open("B", self.proto)
        r.do("A", "FLUSHALL")
        if self.set_focus:
            # A few sets to start from, on the keys the sequence favours.
            for k in KEYS[:4]:
                if self.rng.random() < 0.7:
                    r.do("A", "SADD", k, *self.members(2, 6))
        if self.hll_focus:
            # Likewise HyperLogLogs, one of them dense.
            for k in KEYS[:4]:
                if self.rng.random() < 0.6:
                    r.do("A", "PFADD", k, *self.hll_elements(1, 6))
            r.do("A", "PFADD", KEYS[self.rng.randint(0, 3)], *[b"e%d" % i for i in range(2000)])
        if self.zset_focus:
            # Likewise sorted sets: one of equal scores (for the lex
            # commands), sometimes one past the listpack's 128 entries.
            for k in KEYS[:4]:
                if self.rng.random() < 0.7:
                    r.do("A", "ZADD", k, *self.zpairs(2, 6))
            r.do("A", "ZADD", KEYS[self.rng.randint(0, 3)], *[x for m in self.zmembers(3, 8) for x in (0, m)])
            if self.rng.random() < 0.3:
                r.do("A", "ZADD", KEYS[self.rng.randint(0, 3)], *self.zbulk())
        if self.list_focus:
            # Likewise lists, one of them long.
            for k in KEYS[:4]:
                if self.rng.random() < 0.7:
                    r.do("A", "RPUSH", k, *self.list_elements(1, 8))
            r.do("A", "RPUSH", KEYS[self.rng.randint(0, 3)],
                 *self.rng.choices(LIST_ELEMENTS, LIST_ELEMENT_WEIGHTS, k=self.rng.randint(200, 1000)))
        if self.stream_focus:
            # Likewise streams, with a group that has read some of them.
            for k in KEYS[:4]:
                if self.rng.random() < 0.7:
                    for _ in range(self.rng.randint(1, 6)):
                        r.do("A", "XADD", k, self.new_xid(), *self.stream_fields())
                    if self.rng.random() < 0.5:
                        r.do("A", "XGROUP", "CREATE", k, "g1", "0")
                        r.do("A", "XREADGROUP", "GROUP", "g1", "c1", "COUNT", 2, "STREAMS", k, ">")
        for _ in range(length):
            x = self.rng.random()
            a_multi = r.in_multi("A")
            if x < 0.22:  # the other client
                self.run_steps("B", self.random_steps(False))
            elif x < 0.27 and not a_multi:
                if r.do("A", self.name("watch"), *self.keys(1, 3))[0] == ("+", b"OK"):
                    self.watching = True
            elif x < 0.28:
                if r.do("A", self.name("unwatch"))[0] == ("+", b"OK"):  # not +QUEUED
                    self.watching = False
            elif x < 0.34 and not a_multi:
                r.do("A", self.name("multi"))
            elif a_multi and x < 0.42:
                y = self.rng.random()
                if y < 0.65:
                    r.do("A", self.name("exec"))
                elif y < 0.85:
                    r.do("A", self.name("discard"))
                elif y < 0.93:
                    r.do("A", self.name("multi"))  # nested: an error, the transaction goes on
                else:
                    r.do("A", self.name("watch"), self.key())  # WATCH inside MULTI: an error
            elif x < 0.425:
                r.do("A", self.name(self.rng.choice(["exec", "discard"])))  # maybe without MULTI
            else:
                self.run_steps("A", self.random_steps(a_multi))
            if a_multi and not r.in_multi("A"):
                self.watching = False  # EXEC (or its EXECABORT) and DISCARD unwatch
        if r.in_multi("A"):
            r.do("A", self.name("exec"))
        # The final state, every database the sequence may have touched, in
        # one pipelined round trip: every key's type, and its value (MGET
        # gives nil for a hash, a set or a list, HGETALL and SMEMBERS
        # WRONGTYPE for the other types), and a set's or a list's encoding;
        # then, in a second one, the intsets' members in order (ascending on
        # both), every list whole (LLEN, LRANGE 0 -1), and every sorted set
        # whole (ZCARD, ZRANGE 0 -1 WITHSCORES).
        final = []
        for db in (0, 1, 2, 15):
            final += [(["SELECT", db], "exact"), (["EXISTS"] + KEYS, "exact"), (["DBSIZE"], "exact"),
                      (["KEYS", "*"], "sorted"), (["MGET"] + KEYS, "exact")]
            final += [(["TYPE", k], "exact") for k in KEYS]
            final += [(["HGETALL", k], PAIRS) for k in KEYS]
            final += [(["SMEMBERS", k], SORTED) for k in KEYS]
            final += [(["OBJECT", "ENCODING", k], ENCODING) for k in KEYS]
            if db == 0:
                final += [(["PTTL", k], "ttl_ms") for k in KEYS]
        ordered, db = [], None
        for (args, _), (ra, _) in zip(final, r.pipeline("A", final)):
            if args[0] == "SELECT":
                db = args[1]
            elif args[0] == "OBJECT" and ra == ("$", b"intset"):
                if ["SELECT", db] not in (a for a, _ in ordered):
                    ordered.append((["SELECT", db], "exact"))
                ordered.append((["SMEMBERS", args[2]], INTSET_ORDER))
            elif args[0] == "TYPE" and ra == ("+", b"list"):
                if ["SELECT", db] not in (a for a, _ in ordered):
                    ordered.append((["SELECT", db], "exact"))
                ordered += [(["LLEN", args[1]], "exact"), (["LRANGE", args[1], 0, -1], "exact")]
            elif args[0] == "TYPE" and ra == ("+", b"zset"):
                if ["SELECT", db] not in (a for a, _ in ordered):
                    ordered.append((["SELECT", db], "exact"))
                ordered += [(["ZCARD", args[1]], "exact"), (["ZRANGE", args[1], 0, -1, "WITHSCORES"], "exact")]
        if ordered:
            r.pipeline("A", ordered)
