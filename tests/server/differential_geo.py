"""Differential scenarios of the GEO commands (GEOADD, GEODIST, GEOHASH,
GEOPOS, GEORADIUS[_RO], GEORADIUSBYMEMBER[_RO], GEOSEARCH, GEOSEARCHSTORE)
against redis-server 7.0, reply by reply and exactly: scores (a geo set is
a sorted set of 52-bit geohashes), coordinates and distances to the last
digit Redis prints, the members a search finds and their order (ties
included: equal distances are ordered by Redis's own sorts), STORE and
STOREDIST results read back with ZRANGE WITHSCORES and DUMP, the order of
argument checks and every error text, RESP3, MULTI / EXEC, scripts and
keyspace notifications.

Nothing here is compared loosely: ANY picks the first members found in
Redis's order of cells, which tmkv reads in the same order, so it is
compared exactly too.

Imported by differential_test.py: the decorator registers the scenarios.
"""
import random

from differential_core import EXACT, SAME_TYPE
from differential_resp import fmt_args
from differential_scenarios import SLEEP, fresh, scenario

def do(r, label, *args, mode=EXACT):
    """r.do with Python floats sent as their shortest round-trip text."""
    return r.do(label, *[repr(a) if isinstance(a, float) else a for a in args], mode=mode)


# Points with a story: Redis's documentation examples, the limits of the
# Mercator range, the antimeridian, the equator and the prime meridian.
CITIES = [
    (13.361389, 38.115556, "Palermo"), (15.087269, 37.502669, "Catania"), (12.758489, 38.788135, "edge1"),
    (17.241510, 38.788135, "edge2"), (2.3522219, 48.856614, "Paris"), (-0.1277583, 51.5073509, "London"),
    (-74.0059413, 40.7127837, "NYC"), (139.6917064, 35.6894875, "Tokyo"), (151.2092955, -33.8688197, "Sydney"),
    (-58.3815591, -34.6036844, "BuenosAires"), (18.4240553, -33.9248685, "CapeTown"), (0, 0, "NullIsland"),
    (180, 0, "east180"), (-180, 0, "west180"), (179.99, 10, "nearDateE"), (-179.99, 10, "nearDateW"),
    (0, 85.05112878, "top"), (0, -85.05112878, "bottom"), (180, 85.05112878, "topEast"),
    (-180, -85.05112878, "bottomWest"), (45, 84.9, "arctic"), (-45, -84.9, "antarctic"),
]


def geoadd_all(r, key, points):
    do(r, "A", "GEOADD", key, *[x for p in points for x in p])


GEOADD_CASES = [
    ["GEOADD", "g", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"],
    ["GEOADD", "g", 13.361389, 38.115556, "Palermo"],  # same place: not an update
    ["GEOADD", "g", "CH", 13.361389, 38.115556, "Palermo"],
    ["GEOADD", "g", "CH", 13.36139, 38.115556, "Palermo"],  # moved: CH counts it
    ["GEOADD", "g", "NX", 1, 1, "Palermo", 2, 2, "new1"], ["GEOADD", "g", "XX", 3, 3, "new1", 4, 4, "new2"],
    ["GEOADD", "g", "XX", "CH", 5, 5, "new1", 6, 6, "new3"], ["GEOADD", "g", "nx", "ch", 7, 7, "new3", 8, 8, "new1"],
    ["GEOADD", "g", "CH", "NX", "CH", 9, 9, "new4"], ["GEOADD", "g", "NX", "XX", 1, 1, "a"],
    ["GEOADD", "g", "XX", "NX", "CH", 1, 1, "a"], ["GEOADD", "g", "GT", 1, 1, "a"], ["GEOADD", "g", "INCR", 1, 1, "a"],
    ["GEOADD", "g", "LT", "CH", 1, 1, "a"], ["GEOADD", "g", 1, 1, "dup", 2, 2, "dup"],
    ["GEOADD", "g", "CH", 3, 3, "dup", 3, 3, "dup"],
    ["GEOADD", "g", 1, 1], ["GEOADD", "g", 1, 1, "a", 2], ["GEOADD", "g", 1, 1, "a", 2, 2], ["GEOADD", "g", "NX"],
    ["GEOADD", "g", "NX", "CH"], ["GEOADD", "g", "NX", "CH", "XX"], ["GEOADD", "g", "NX", "CH", "CH"],
    ["GEOADD", "g", "CH", "CH", "CH"], ["GEOADD", "g"], ["GEOADD", "g", 1],
    # Coordinates: limits, just past them, spellings of numbers.
    ["GEOADD", "lim", 180, 85.05112878, "ne", -180, -85.05112878, "sw", 0, 0, "zero", "-0", "-0", "negzero"],
    ["GEOADD", "lim", "180.0000001", 0, "x"], ["GEOADD", "lim", "-180.0000001", 0, "x"],
    ["GEOADD", "lim", 0, "85.05112879", "x"], ["GEOADD", "lim", 0, "-85.05112879", "x"],
    ["GEOADD", "lim", 0, 90, "x"], ["GEOADD", "lim", 200, 100, "x"], ["GEOADD", "lim", "-200.5", "-100.25", "x"],
    ["GEOADD", "lim", "inf", 0, "x"], ["GEOADD", "lim", 0, "-inf", "x"], ["GEOADD", "lim", "1e300", "1e300", "x"],
    ["GEOADD", "lim", "1e-320", "-1e-320", "tiny"], ["GEOADD", "lim", "0x10", "0x1p3", "hex"],
    ["GEOADD", "lim", "1.5e1", "2E1", "exp"], ["GEOADD", "lim", " 1", 1, "x"], ["GEOADD", "lim", "1 ", 1, "x"],
    ["GEOADD", "lim", "", 1, "x"], ["GEOADD", "lim", "abc", 1, "x"], ["GEOADD", "lim", 1, "nan", "x"],
    ["GEOADD", "lim", "1e400", 1, "x"], ["GEOADD", "lim", 1, "1e-400", "x"], ["GEOADD", "lim", "+5", "+.5", "plus"],
    # A bad pair anywhere rejects the whole command, before the key is read.
    ["GEOADD", "lim", 1, 1, "ok", 500, 1, "bad"], ["GEOADD", "lim", 1, 1, "ok", "x", 1, "bad"],
    ["ZRANGE", "lim", 0, -1, "WITHSCORES"], ["ZSCORE", "lim", "ne"], ["ZSCORE", "lim", "sw"],
    ["GEOPOS", "lim", "ne", "sw", "zero", "negzero", "tiny", "hex", "exp", "plus", "ok", "nomember"],
    ["GEOHASH", "lim", "ne", "sw", "zero", "negzero", "tiny", "hex", "exp", "plus", "nomember"],
    ["GEOADD", "nokey", "XX", 1, 1, "a"], ["EXISTS", "nokey"], ["GEOADD", "nokey", "XX", "CH", 1, 1, "a"],
    ["ZRANGE", "g", 0, -1, "WITHSCORES"], ["OBJECT", "ENCODING", "g"], ["TYPE", "g"],
]

READ_CASES = [
    # GEOPOS / GEOHASH: missing members and keys, no members at all.
    ["GEOPOS", "g", "Palermo", "Catania", "nomember", "new1"], ["GEOPOS", "g"], ["GEOPOS", "nokey", "a", "b"],
    ["GEOPOS", "nokey"], ["GEOHASH", "g", "Palermo", "Catania", "nomember"], ["GEOHASH", "g"],
    ["GEOHASH", "nokey", "a", "b"], ["GEOHASH", "nokey"], ["GEOPOS"], ["GEOHASH"],
    # GEODIST: every unit in any case, missing members, errors (the unit
    # is checked before the key).
    ["GEODIST", "g", "Palermo", "Catania"], ["GEODIST", "g", "Palermo", "Catania", "m"],
    ["GEODIST", "g", "Palermo", "Catania", "km"], ["GEODIST", "g", "Palermo", "Catania", "KM"],
    ["GEODIST", "g", "Palermo", "Catania", "ft"], ["GEODIST", "g", "Palermo", "Catania", "Mi"],
    ["GEODIST", "g", "Catania", "Palermo", "mi"], ["GEODIST", "g", "Palermo", "Palermo"],
    ["GEODIST", "g", "Palermo", "nomember"], ["GEODIST", "g", "nomember", "Palermo"],
    ["GEODIST", "g", "nomember", "nomember2", "km"], ["GEODIST", "nokey", "a", "b"],
    ["GEODIST", "nokey", "a", "b", "km"], ["GEODIST", "nokey", "a", "b", "parsec"],
    ["GEODIST", "g", "Palermo", "Catania", "parsec"], ["GEODIST", "g", "Palermo", "Catania", ""],
    ["GEODIST", "g", "Palermo", "Catania", "km", "extra"], ["GEODIST", "g", "Palermo"],
    ["GEODIST", "nokey", "a", "b", "km", "extra"],
]


@scenario
def geo_basics(r):
    """GEOADD's options (NX, XX, CH, repeated, in any order; GT, LT, INCR
    are no options of its), coordinates at and just past the limits and in
    every spelling, the error texts ("%f" of the pair), scores as ZRANGE
    shows them; GEOPOS, GEOHASH, GEODIST in every unit; missing keys and
    members."""
    fresh(r)
    for c in GEOADD_CASES + READ_CASES:
        do(r, "A", *c)
    geoadd_all(r, "cities", CITIES)
    names = [n for _, _, n in CITIES]
    do(r, "A", "ZRANGE", "cities", 0, -1, "WITHSCORES")
    do(r, "A", "GEOPOS", "cities", *names)
    do(r, "A", "GEOHASH", "cities", *names)
    for i, a in enumerate(names):
        do(r, "A", "GEODIST", "cities", a, names[(i * 7 + 3) % len(names)], ("m", "km", "ft", "mi")[i % 4])
    for a, b in (("east180", "west180"), ("nearDateE", "nearDateW"), ("top", "bottom"), ("topEast", "bottomWest"),
                 ("NullIsland", "east180"), ("arctic", "top"), ("Sydney", "BuenosAires")):
        do(r, "A", "GEODIST", "cities", a, b)
        do(r, "A", "GEODIST", "cities", a, b, "km")
    do(r, "A", "DBSIZE")


def non_geo_scores(r):
    """Scores no GEOADD writes, read as geohashes: Redis casts the score
    to a 64-bit integer as x86-64 does (negative ones wrap, huge ones
    saturate) and decodes whatever comes out."""
    do(r, "A", "ZADD", "odd", "-1", "neg", "0.5", "half", "1e20", "huge", "inf", "pinf", "-inf", "ninf",
         "4503599627370496", "two52", "9007199254740992", "two53", "13510798882111488", "three52",
         "-4503599627370496", "negtwo52", "1e19", "e19", "-0", "negzero", "123.75", "frac",
         "18446744073709551616", "two64", "-9223372036854775808", "negtwo63", "9223372036854775808", "two63")
    members = ["neg", "half", "huge", "pinf", "ninf", "two52", "two53", "three52", "negtwo52", "e19", "negzero",
               "frac", "two64", "negtwo63", "two63"]
    do(r, "A", "GEOPOS", "odd", *members)
    do(r, "A", "GEOHASH", "odd", *members)
    do(r, "A", "GEODIST", "odd", "neg", "half")
    do(r, "A", "GEODIST", "odd", "pinf", "ninf", "km")
    for m in members:
        do(r, "A", "GEORADIUSBYMEMBER", "odd", m, 20000, "km", "WITHHASH", "WITHCOORD", "WITHDIST")
    do(r, "A", "GEOSEARCH", "odd", "FROMLONLAT", 0, 0, "BYBOX", 40000, 40000, "km", "WITHHASH", "WITHCOORD", "ASC")
    do(r, "A", "GEOSEARCHSTORE", "oddst", "odd", "FROMLONLAT", 0, 0, "BYRADIUS", 30000, "km")
    do(r, "A", "ZRANGE", "oddst", 0, -1, "WITHSCORES")


SEARCH_OPTION_SETS = [
    [], ["WITHDIST"], ["WITHCOORD"], ["WITHHASH"], ["WITHDIST", "WITHCOORD", "WITHHASH"],
    ["WITHHASH", "WITHCOORD", "WITHDIST", "ASC"], ["DESC"], ["ASC"], ["COUNT", 1], ["COUNT", 2, "DESC"],
    ["COUNT", 3, "ANY"], ["COUNT", 2, "ANY", "ASC"], ["ANY", "COUNT", 2, "DESC", "WITHDIST"], ["COUNT", 100],
    ["count", 1, "any", "withdist"], ["ASC", "DESC"], ["DESC", "ASC", "WITHDIST"], ["COUNT", 5, "COUNT", 1],
    ["WITHDIST", "WITHDIST"],
]


def search_forms(center, shape):
    """The same search in each command's spelling. center: ("lonlat", lon,
    lat) or ("member", m); shape: ("radius", r, unit) or ("box", w, h,
    unit)."""
    forms = []
    if center[0] == "lonlat":
        frm = ["FROMLONLAT", center[1], center[2]]
    else:
        frm = ["FROMMEMBER", center[1]]
    by = ["BYRADIUS", shape[1], shape[2]] if shape[0] == "radius" else ["BYBOX", shape[1], shape[2], shape[3]]
    forms.append(["GEOSEARCH", "cities"] + frm + by)
    if shape[0] == "radius":
        if center[0] == "lonlat":
            forms.append(["GEORADIUS", "cities", center[1], center[2], shape[1], shape[2]])
            forms.append(["GEORADIUS_RO", "cities", center[1], center[2], shape[1], shape[2]])
        else:
            forms.append(["GEORADIUSBYMEMBER", "cities", center[1], shape[1], shape[2]])
            forms.append(["GEORADIUSBYMEMBER_RO", "cities", center[1], shape[1], shape[2]])
    return forms


SEARCHES = [
    (("lonlat", 15, 37), ("radius", 200, "km")), (("lonlat", 15, 37), ("radius", 100, "km")),
    (("member", "Palermo"), ("radius", 300, "km")), (("member", "Palermo"), ("radius", 0, "m")),
    (("lonlat", 15, 37), ("box", 400, 400, "km")), (("lonlat", 15, 37), ("box", 200, 800, "km")),
    (("lonlat", 13.361389, 38.115556), ("radius", 0, "km")), (("member", "Catania"), ("radius", 1, "m")),
    (("lonlat", 0, 0), ("radius", 1, "m")), (("lonlat", 0, 0), ("radius", 30000, "km")),
    (("lonlat", 0, 0), ("radius", "1e300", "m")), (("lonlat", 0, 0), ("radius", "inf", "km")),
    (("lonlat", 0, 0), ("box", "inf", 10, "km")), (("lonlat", 0, 0), ("box", 10, "inf", "km")),
    (("lonlat", 0, 0), ("box", 0, 0, "m")), (("member", "NullIsland"), ("box", 0, 0, "km")),
    (("lonlat", 180, 0), ("radius", 100, "km")), (("lonlat", -180, 0), ("radius", 100, "km")),
    (("lonlat", 179.9, 10), ("radius", 50, "km")), (("lonlat", -179.95, 10), ("box", 100, 100, "km")),
    (("member", "nearDateE"), ("radius", 5, "km")), (("member", "nearDateW"), ("box", 10, 10, "km")),
    (("member", "east180"), ("box", 1, 1, "km")), (("lonlat", 180, 0), ("box", 2000, 2000, "mi")),
    (("lonlat", 0, 85.05112878), ("radius", 100, "km")), (("lonlat", 0, -85.05112878), ("radius", 500, "km")),
    (("member", "top"), ("radius", 2000, "km")), (("member", "bottom"), ("box", 3000, 3000, "km")),
    (("lonlat", 180, 85.05112878), ("radius", 1000, "km")), (("lonlat", 90, 80), ("box", 5000, 100, "km")),
    (("lonlat", -45, -84.9), ("radius", 50, "km")), (("lonlat", 10, 45), ("radius", 5000, "km")),
    (("lonlat", 10, 45), ("radius", 3000, "mi")), (("lonlat", 10, 45), ("radius", 10000000, "ft")),
    (("lonlat", -60, -30), ("box", 12000, 8000, "km")), (("lonlat", 140, 30), ("box", 20000, 5000, "km")),
    (("lonlat", 0, 51.5), ("box", 1000, 1000, "km")), (("member", "London"), ("radius", 350, "km")),
    (("member", "Sydney"), ("radius", 12000, "km")), (("lonlat", 0, 0), ("radius", 20000, "km")),
]


@scenario
def geo_search(r):
    """GEORADIUS, GEORADIUSBYMEMBER, their _RO forms and GEOSEARCH over the
    same points: radii from 0 to infinity, boxes (0 x 0, infinite),
    centres at the poles' limits, on the antimeridian and at 0,0, every
    unit; each search with every option set (WITHDIST / WITHCOORD /
    WITHHASH, ASC / DESC, COUNT with and without ANY); points with wild
    scores (non_geo_scores)."""
    fresh(r)
    geoadd_all(r, "cities", CITIES)
    for center, shape in SEARCHES:
        for i, form in enumerate(search_forms(center, shape)):
            for opts in SEARCH_OPTION_SETS if i == 0 else SEARCH_OPTION_SETS[::4]:
                do(r, "A", *form, *opts)
    non_geo_scores(r)


def random_points(rng, n, lon_range, lat_range, ties):
    pts = []
    for i in range(n):
        lon = round(rng.uniform(*lon_range), rng.choice((1, 3, 6)))
        lat = round(rng.uniform(*lat_range), rng.choice((1, 3, 6)))
        pts.append((lon, lat, f"p{i}"))
        for t in range(ties if rng.random() < 0.3 else 0):
            pts.append((lon, lat, f"p{i}t{t}"))  # the same place: equal distances
    return pts


@scenario
def geo_search_many(r):
    """Hundreds of points (listpack and skiplist sets; many at the same
    place, so many equal distances) searched from seeded random centres:
    which members COUNT keeps among equal distances, and their order, are
    those of Redis's partial quicksort (COUNT) or stable full sort; ANY
    takes the first found in Redis's order of cells."""
    fresh(r)
    rng = random.Random(20240607)
    areas = [("small", 60, (9.0, 11.0), (44.0, 46.0)), ("world", 400, (-180, 180), (-85.05, 85.05)),
             ("date", 150, (175, 180), (-10, 10)), ("pole", 150, (-180, 180), (80, 85.05112878))]
    for key, n, lon_r, lat_r in areas:
        pts = random_points(rng, n, lon_r, lat_r, 3)
        for i in range(0, len(pts), 50):
            geoadd_all(r, key, pts[i:i + 50])
        if key == "date":
            geoadd_all(r, key, random_points(rng, 60, (-180, -175), (-10, 10), 2))
        do(r, "A", "ZCARD", key)
        do(r, "A", "OBJECT", "ENCODING", key)
        for t in range(40):
            lon = round(rng.uniform(*lon_r), 4)
            lat = round(rng.uniform(*lat_r), 4)
            if key == "date" and t % 2:
                lon = -lon
            unit = rng.choice(("m", "km", "mi", "ft"))
            scale = {"m": 1000, "km": 1, "mi": 0.62, "ft": 3280}[unit]
            size = rng.choice((1, 10, 50, 200, 1000, 5000))
            radius = round(size * scale * rng.uniform(0.5, 1.5), 2)
            opts = rng.choice([[], ["ASC"], ["DESC"], ["COUNT", rng.randint(1, 20)],
                               ["COUNT", rng.randint(1, 20), "DESC"], ["COUNT", rng.randint(1, 5), "ANY"],
                               ["COUNT", rng.randint(1, 8), "ANY", "ASC"]])
            withs = rng.choice([[], ["WITHDIST"], ["WITHDIST", "WITHCOORD", "WITHHASH"]])
            do(r, "A", "GEORADIUS", key, lon, lat, radius, unit, *opts, *withs)
            do(r, "A", "GEOSEARCH", key, "FROMLONLAT", lon, lat, "BYBOX", radius * 2, round(radius * 1.3, 2), unit,
                 *opts, *withs)
            member = f"p{rng.randrange(n)}"
            do(r, "A", "GEOSEARCH", key, "FROMMEMBER", member, "BYRADIUS", radius, unit, *opts, "WITHDIST")
            if t % 4 == 0:
                do(r, "A", "GEOSEARCHSTORE", "dst", key, "FROMLONLAT", lon, lat, "BYRADIUS", radius, unit, *opts,
                     *(["STOREDIST"] if t % 8 == 0 else []))
                do(r, "A", "ZRANGE", "dst", 0, -1, "WITHSCORES")
            if t % 10 == 0:
                do(r, "A", "GEORADIUSBYMEMBER", key, member, radius, unit, "COUNT", 3, "STOREDIST", "dst2")
                do(r, "A", "ZRANGE", "dst2", 0, -1, "WITHSCORES")
    do(r, "A", "DUMP", "small")
    do(r, "A", "DUMP", "world")


STORE_CASES = [
    # GEORADIUS ... STORE / STOREDIST: the last one given wins.
    ["GEORADIUS", "cities", 15, 37, 200, "km", "STORE", "st"], ["ZRANGE", "st", 0, -1, "WITHSCORES"],
    ["OBJECT", "ENCODING", "st"], ["TTL", "st"],
    ["GEORADIUS", "cities", 15, 37, 200, "km", "STOREDIST", "sd"], ["ZRANGE", "sd", 0, -1, "WITHSCORES"],
    ["GEORADIUS", "cities", 15, 37, 200, "mi", "STORE", "x", "STOREDIST", "sd2"], ["EXISTS", "x"],
    ["ZRANGE", "sd2", 0, -1, "WITHSCORES"],
    ["GEORADIUS", "cities", 15, 37, 200, "ft", "STOREDIST", "x", "STORE", "st2"],
    ["ZRANGE", "st2", 0, -1, "WITHSCORES"],
    ["GEORADIUS", "cities", 15, 37, 20000, "km", "COUNT", 3, "DESC", "STORE", "st3"],
    ["ZRANGE", "st3", 0, -1, "WITHSCORES"],
    ["GEORADIUS", "cities", 15, 37, 20000, "km", "COUNT", 4, "STOREDIST", "sd3"],
    ["ZRANGE", "sd3", 0, -1, "WITHSCORES"],
    ["GEORADIUS", "cities", 15, 37, 20000, "km", "COUNT", 2, "ANY", "STORE", "st4"],
    ["ZRANGE", "st4", 0, -1, "WITHSCORES"],
    ["GEORADIUSBYMEMBER", "cities", "Palermo", 300, "km", "STORE", "sm"], ["ZRANGE", "sm", 0, -1, "WITHSCORES"],
    ["GEORADIUSBYMEMBER", "cities", "Palermo", 300, "km", "STOREDIST", "smd"], ["ZRANGE", "smd", 0, -1, "WITHSCORES"],
    # An empty result deletes the destination; a missing source too.
    ["SET", "gone", "x"], ["GEORADIUS", "cities", 100, 10, 1, "km", "STORE", "gone"], ["EXISTS", "gone"],
    ["GEORADIUS", "cities", 100, 10, 1, "km", "STORE", "never"], ["EXISTS", "never"],
    ["SET", "gone2", "x"], ["GEORADIUS", "nokey", 100, 10, 1, "km", "STORE", "gone2"], ["EXISTS", "gone2"],
    ["SET", "gone3", "x"], ["GEORADIUSBYMEMBER", "nokey", "m", 1, "km", "STOREDIST", "gone3"], ["EXISTS", "gone3"],
    # The destination is replaced whole, whatever it held, and loses its TTL.
    ["SET", "strdst", "x", "EX", 1000], ["GEORADIUS", "cities", 15, 37, 200, "km", "STORE", "strdst"],
    ["TYPE", "strdst"], ["TTL", "strdst"], ["ZADD", "zdst", 1, "old"], ["EXPIRE", "zdst", 1000],
    ["GEOSEARCHSTORE", "zdst", "cities", "FROMMEMBER", "Paris", "BYRADIUS", 400, "km"],
    ["ZRANGE", "zdst", 0, -1, "WITHSCORES"], ["TTL", "zdst"],
    # Source and destination the same key.
    ["GEOADD", "self", 1, 1, "a", 1.001, 1.001, "b", 50, 50, "far"],
    ["GEORADIUS", "self", 1, 1, 10, "km", "STORE", "self"], ["ZRANGE", "self", 0, -1, "WITHSCORES"],
    ["GEOSEARCHSTORE", "self", "self", "FROMMEMBER", "a", "BYRADIUS", 100, "km", "STOREDIST"],
    ["ZRANGE", "self", 0, -1, "WITHSCORES"],
    # GEOSEARCHSTORE.
    ["GEOSEARCHSTORE", "gs", "cities", "FROMLONLAT", 15, 37, "BYBOX", 400, 400, "km"],
    ["ZRANGE", "gs", 0, -1, "WITHSCORES"],
    ["GEOSEARCHSTORE", "gs", "cities", "FROMLONLAT", 15, 37, "BYBOX", 400, 400, "km", "STOREDIST", "DESC", "COUNT", 2],
    ["ZRANGE", "gs", 0, -1, "WITHSCORES"],
    ["GEOSEARCHSTORE", "gs", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 1, "m"], ["EXISTS", "gs"],
    ["GEOSEARCHSTORE", "gs", "cities", "FROMMEMBER", "Sydney", "BYRADIUS", 1, "m", "STOREDIST"],
    ["ZRANGE", "gs", 0, -1, "WITHSCORES"],
    ["GEOSEARCHSTORE", "gs", "nokey", "FROMMEMBER", "Sydney", "BYRADIUS", 1, "m"], ["EXISTS", "gs"],
    ["GEOSEARCHSTORE", "gs", "cities", "FROMLONLAT", 0, 0, "BYRADIUS", 30000, "km", "STOREDIST", "STOREDIST"],
    ["ZRANGE", "gs", 0, -1, "WITHSCORES"], ["ZCARD", "gs"],
    ["GEOSEARCHSTORE", "gs", "cities", "FROMLONLAT", 0, 0, "BYRADIUS", 30000, "km", "COUNT", 5, "ANY"],
    ["ZRANGE", "gs", 0, -1, "WITHSCORES"],
    ["GEOSEARCHSTORE", "gs", "cities", "FROMLONLAT", 0, 0, "BYRADIUS", 300, "km", "STORE", "x"],
    ["GEOSEARCHSTORE", "gs", "cities", "FROMLONLAT", 0, 0, "BYRADIUS", 300, "km", "WITHDIST"],
    ["GEOSEARCHSTORE", "gs", "cities", "FROMLONLAT", 0, 0, "BYRADIUS", 300, "km", "WITHCOORD", "STOREDIST"],
    ["GEOSEARCHSTORE", "gs", "cities", "FROMLONLAT", 0, 0, "BYRADIUS", 300, "km", "WITHHASH"],
    # STORE with WITH* options, and where STORE is no option at all.
    ["GEORADIUS", "cities", 15, 37, 200, "km", "WITHDIST", "STORE", "x"],
    ["GEORADIUS", "cities", 15, 37, 200, "km", "STORE", "x", "WITHHASH"],
    ["GEORADIUS", "cities", 15, 37, 200, "km", "STOREDIST", "x", "WITHCOORD"],
    ["GEORADIUSBYMEMBER", "cities", "Palermo", 200, "km", "STOREDIST", "x", "WITHCOORD"],
    ["GEORADIUS_RO", "cities", 15, 37, 200, "km", "STORE", "x"],
    ["GEORADIUSBYMEMBER_RO", "cities", "Palermo", 200, "km", "STOREDIST", "x"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "STORE", "x"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "STOREDIST"],
    ["GEORADIUS", "cities", 15, 37, 200, "km", "STORE"], ["GEORADIUS", "cities", 15, 37, 200, "km", "STOREDIST"],
    ["EXISTS", "x"],
]


@scenario
def geo_store(r):
    """GEORADIUS / GEORADIUSBYMEMBER ... STORE / STOREDIST and
    GEOSEARCHSTORE [STOREDIST]: the stored scores (geohashes, or distances
    in the unit asked) read back with ZRANGE WITHSCORES, their encoding,
    the destination replaced whole (any type, TTL dropped) or deleted for
    an empty result or a missing source, source = destination; the option
    rules (WITH* refused, STORE refused by the _RO forms and GEOSEARCH);
    DUMP of geo sets both encodings, RESTORE of each server's payload."""
    fresh(r)
    geoadd_all(r, "cities", CITIES)
    for c in STORE_CASES:
        do(r, "A", *c)
    # A big geo set (skiplist) and one with long members; DUMP of each.
    rng = random.Random(7)
    pts = [(round(rng.uniform(-180, 180), 5), round(rng.uniform(-85, 85), 5), f"m{i}") for i in range(200)]
    for i in range(0, 200, 40):
        geoadd_all(r, "big", pts[i:i + 40])
    geoadd_all(r, "long", [(1, 2, "x" * 65), (3, 4, "y")])
    for key in ("cities", "big", "long", "st", "sd", "gs"):
        do(r, "A", "OBJECT", "ENCODING", key)
        do(r, "A", "DUMP", key)
    do(r, "A", "GEORADIUS", "big", 0, 0, 5000, "km", "STORE", "bigst")
    do(r, "A", "OBJECT", "ENCODING", "bigst")
    do(r, "A", "GEORADIUS", "big", 0, 0, 25000, "km", "STOREDIST", "bigsd")
    do(r, "A", "OBJECT", "ENCODING", "bigsd")
    do(r, "A", "DUMP", "bigsd")
    do(r, "A", "ZRANGE", "bigsd", 0, -1, "WITHSCORES")
    ka, kb = do(r, "A", "DUMP", "cities", mode=SAME_TYPE)
    if ka[0] == "$" and ka[1] is not None and kb[0] == "$" and kb[1] is not None:
        for payload in (ka[1], kb[1]):
            do(r, "A", "RESTORE", "restored", 0, payload, "REPLACE")
            do(r, "A", "GEOPOS", "restored", "Palermo", "top", "east180")
            do(r, "A", "GEOSEARCH", "restored", "FROMMEMBER", "Palermo", "BYRADIUS", 500, "km", "WITHDIST")


ERROR_CASES = [
    # Wrong types: the source is looked up before any argument is read.
    ["GEOADD", "str", 1, 1, "a"], ["GEOADD", "str", 500, 1, "a"], ["GEOADD", "str", "NX", "XX", 1, 1, "a"],
    ["GEOPOS", "str", "a"], ["GEOHASH", "str", "a"], ["GEODIST", "str", "a", "b"],
    ["GEODIST", "str", "a", "b", "parsec"],
    ["GEORADIUS", "str", 1, 1, 1, "km"], ["GEORADIUS", "str", 500, 1, -1, "parsec", "FOO"],
    ["GEORADIUSBYMEMBER", "str", "a", 1, "km"], ["GEORADIUS_RO", "str", 1, 1, 1, "km"],
    ["GEORADIUSBYMEMBER_RO", "str", "a", "x", "km"], ["GEOSEARCH", "str", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km"],
    ["GEOSEARCH", "str", "FOO", "BAR", "BAZ", "QUX", "QUUX"],
    ["GEOSEARCHSTORE", "d", "str", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km"],
    ["GEOSEARCHSTORE", "str", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km"], ["TYPE", "str"],
    ["SET", "str", "x"], ["GEOADD", "list", 1, 1, "a"], ["GEOSEARCH", "hash", "FROMMEMBER", "a", "BYRADIUS", 1, "m"],
    # GEORADIUS's arguments, in its order: centre, radius, unit, options.
    ["GEORADIUS", "cities", "x", 1, 1, "km"], ["GEORADIUS", "cities", 1, "y", 1, "km"],
    ["GEORADIUS", "cities", 181, 1, 1, "km"], ["GEORADIUS", "cities", 1, 86, "x", "km"],
    ["GEORADIUS", "cities", 1, 1, "x", "km"], ["GEORADIUS", "cities", 1, 1, -1, "km"],
    ["GEORADIUS", "cities", 1, 1, "-0", "km"], ["GEORADIUS", "cities", 1, 1, -1, "parsec"],
    ["GEORADIUS", "cities", 1, 1, 1, "parsec"], ["GEORADIUS", "cities", 1, 1, "nan", "km"],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "FOO"], ["GEORADIUS", "cities", 1, 1, 1, "km", "COUNT"],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "COUNT", 0], ["GEORADIUS", "cities", 1, 1, 1, "km", "COUNT", -3],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "COUNT", "x"], ["GEORADIUS", "cities", 1, 1, 1, "km", "COUNT", "1.5"],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "COUNT", "9223372036854775807"],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "COUNT", "9223372036854775808"],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "ANY"], ["GEORADIUS", "cities", 1, 1, 1, "km", "ANY", "FOO"],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "COUNT", 0, "FOO"],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "FOO", "COUNT", 0],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "ANY", "WITHDIST", "STORE", "x"],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "FROMMEMBER", "a"],
    ["GEORADIUS", "cities", 1, 1, 1, "km", "BYRADIUS", 1, "m"],
    ["GEORADIUS", "cities", 1, 1, 1], ["GEORADIUS_RO", "cities", 1, 1, 1],
    # GEORADIUSBYMEMBER: the member first, then the radius.
    ["GEORADIUSBYMEMBER", "cities", "nomember", 1, "km"], ["GEORADIUSBYMEMBER", "cities", "nomember", "x", "km"],
    ["GEORADIUSBYMEMBER", "cities", "Palermo", "x", "km"], ["GEORADIUSBYMEMBER", "cities", "Palermo", 1, "parsec"],
    ["GEORADIUSBYMEMBER", "cities", "Palermo", 1, "km", "ANY"],
    ["GEORADIUSBYMEMBER_RO", "cities", "nomember", 1, "km", "STORE", "x"],
    # A missing key: GEORADIUSBYMEMBER reads neither member nor radius,
    # the options still are.
    ["GEORADIUSBYMEMBER", "nokey", "m", "x", "parsec"], ["GEORADIUSBYMEMBER", "nokey", "m", -1, "km", "WITHDIST"],
    ["GEORADIUSBYMEMBER", "nokey", "m", 1, "km", "FOO"], ["GEORADIUSBYMEMBER", "nokey", "m", 1, "km", "ANY"],
    ["GEORADIUSBYMEMBER", "nokey", "m", 1, "km", "COUNT", 0],
    ["GEORADIUSBYMEMBER", "nokey", "m", 1, "km", "STORE", "x", "WITHDIST"],
    ["GEORADIUSBYMEMBER_RO", "nokey", "m", 1, "km", "STORE", "x"],
    ["GEORADIUS", "nokey", 1, 1, 1, "km"], ["GEORADIUS", "nokey", 500, 1, 1, "km"],
    ["GEORADIUS", "nokey", 1, 1, 1, "parsec"], ["GEORADIUS", "nokey", 1, 1, 1, "km", "WITHDIST", "COUNT", 3],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "m", "BYRADIUS", 1, "km"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "m", "BYRADIUS", "x", "km"],
    ["GEOSEARCH", "nokey", "FROMLONLAT", 500, 1, "BYRADIUS", 1, "km"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "m", "BYBOX", 1, 1, "parsec"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "m"], ["GEOSEARCH", "nokey", "BYRADIUS", 1, "km", "ASC"],
    # GEOSEARCH: exactly one FROM* and one BY*, each checked as met.
    ["GEOSEARCH", "cities", "FROMMEMBER", "nomember", "BYRADIUS", 1, "km"],
    ["GEOSEARCH", "cities", "BYRADIUS", 1, "km", "FROMMEMBER", "nomember"],
    ["GEOSEARCH", "cities", "FROMMEMBER", "Palermo", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 1, 1, "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km"],
    ["GEOSEARCH", "cities", "FROMMEMBER", "Palermo", "FROMMEMBER", "Catania", "BYRADIUS", 100, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 1, 1, "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 1, "km", "BYRADIUS", 200, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 1, "km", "BYBOX", 1, 1, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYBOX", 1, 1, "km", "BYRADIUS", 1, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYBOX", 1, 1, "km", "BYBOX", 400, 400, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "WITHDIST", "ASC"],
    ["GEOSEARCH", "cities", "BYRADIUS", 1, "km", "WITHDIST", "ASC"],
    ["geosearch", "cities", "WITHDIST", "WITHHASH", "ASC", "DESC"],
    ["GeoSearch", "cities", "FROMLONLAT", 15, 37, "ASC", "DESC"],
    ["GEOSEARCHSTORE", "d", "cities", "BYRADIUS", 1, "km", "ASC"],
    ["geosearchstore", "d", "cities", "FROMLONLAT", 15, 37, "ASC", "DESC"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 1, "km", "ANY"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 1],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYBOX", 1, 1], ["GEOSEARCH", "cities", "FROMLONLAT", 15, "BYBOX"],
    ["GEOSEARCH", "cities", "FROMLONLAT", "x", 37, "BYRADIUS", 1, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", "x", "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", -1, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 1, "parsec"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYBOX", "x", 1, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYBOX", 1, "y", "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYBOX", "x", "y", "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYBOX", -1, 1, "km"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYBOX", 1, -1, "parsec"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYBOX", 1, 1, "parsec"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 1, "km", "COUNT", "0"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 1, "km", "FOO"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37, "BYRADIUS", 1, "km", "WITHDIST", "STOREDIST"],
    ["GEOSEARCH", "cities", "FROMLONLAT", 500, 37, "FROMMEMBER", "nomember", "BYRADIUS", 1, "km"],
    ["GEOSEARCH", "cities", "FROMMEMBER", "nomember", "FROMLONLAT", 500, 37],
    # Key positions (GEORADIUS's STORE key is a movable key tmkv's table
    # cannot name: not asked).
    ["COMMAND", "GETKEYS", "GEOADD", "k", 1, 1, "m"], ["COMMAND", "GETKEYS", "GEORADIUS", "k", 1, 1, 1, "km"],
    ["COMMAND", "GETKEYS", "GEOSEARCHSTORE", "d", "s", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km"],
    ["COMMAND", "GETKEYS", "GEOPOS", "k", "a", "b"], ["COMMAND", "GETKEYS", "GEOSEARCH", "k", "x", "y", "z", "w", "v"],
    # Arity.
    ["GEOSEARCH", "cities", "FROMLONLAT", 15, 37], ["GEOSEARCHSTORE", "d", "cities", "FROMLONLAT", 15, 37],
    ["GEORADIUSBYMEMBER", "cities", "Palermo", 1], ["GEODIST", "cities", "a"], ["GEOPOS"], ["GEOADD", "x", 1, 1],
]


@scenario
def geo_errors(r):
    """Every error and the order of checks: WRONGTYPE first (the source is
    read before any argument), then the centre, the radius or box and unit,
    then the options one by one as met (COUNT's number, FROMMEMBER's
    member), then STORE against WITH*, the missing FROM* / BY* (naming the
    command as sent), ANY without COUNT; a missing key answers an empty
    array (or 0 for STORE) after the options; arity."""
    fresh(r)
    geoadd_all(r, "cities", CITIES)
    do(r, "A", "SET", "str", "x")
    do(r, "A", "RPUSH", "list", "a")
    do(r, "A", "HSET", "hash", "a", "b")
    for c in ERROR_CASES:
        do(r, "A", *c)
    do(r, "A", "DBSIZE")


@scenario
def geo_resp3(r):
    """RESP3: GEOPOS's coordinates as doubles (17 decimals, trailing zeros
    dropped) and its missing members as nulls, GEODIST still a bulk
    string, GEOHASH, the search replies' nested arrays with bulk
    distances, integer hashes and double coordinates; errors."""
    fresh(r, proto=3)
    geoadd_all(r, "cities", CITIES)
    names = [n for _, _, n in CITIES]
    for c in (["GEOPOS", "cities", *names, "nomember"], ["GEOPOS", "nokey", "a"], ["GEOHASH", "cities", "Paris", "x"],
              ["GEODIST", "cities", "Paris", "London", "km"], ["GEODIST", "cities", "Paris", "x"],
              ["GEODIST", "nokey", "a", "b"],
              ["GEORADIUS", "cities", 15, 37, 200, "km", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC"],
              ["GEORADIUS", "cities", 15, 37, 200, "km"], ["GEORADIUS", "cities", 15, 37, 1, "m"],
              ["GEORADIUS", "nokey", 15, 37, 200, "km"],
              ["GEORADIUSBYMEMBER", "cities", "Paris", 500, "km", "WITHCOORD"],
              ["GEOSEARCH", "cities", "FROMMEMBER", "top", "BYBOX", 5000, 5000, "km", "WITHCOORD", "WITHDIST", "DESC"],
              ["GEOSEARCH", "cities", "FROMLONLAT", 180, 0, "BYRADIUS", 2000, "km", "WITHHASH", "COUNT", 2],
              ["GEOSEARCHSTORE", "d", "cities", "FROMLONLAT", 0, 0, "BYRADIUS", 20000, "km", "STOREDIST"],
              ["ZRANGE", "d", 0, -1, "WITHSCORES"], ["ZSCORE", "cities", "Paris"],
              ["GEOADD", "cities", 500, 1, "x"], ["GEORADIUS", "cities", 1, 1, 1, "km", "COUNT", 0]):
        do(r, "A", *c)


@scenario
def geo_multi_scripts(r):
    """MULTI / EXEC with geo commands (a runtime error leaves the rest
    done; GEORADIUS ... STORE inside the block), WATCH of a geo set touched
    by another client's GEOADD (and not by a GEOADD that changes nothing),
    scripts calling GEOADD, GEOPOS (coordinates as strings in RESP2,
    {double = n} in RESP3), GEOSEARCH, GEOSEARCHSTORE; EVAL_RO refuses the
    writes (GEORADIUS is one, even without STORE)."""
    fresh(r)
    do(r, "A", "SET", "str", "x")
    for c in (["MULTI"], ["GEOADD", "m", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"],
              ["GEOADD", "str", 1, 1, "a"], ["GEOADD", "m", 500, 1, "x"], ["GEOPOS", "m", "Palermo"],
              ["GEORADIUS", "m", 15, 37, 200, "km", "STOREDIST", "md"], ["ZRANGE", "md", 0, -1, "WITHSCORES"],
              ["GEOSEARCHSTORE", "ms", "m", "FROMMEMBER", "Catania", "BYRADIUS", 100, "km"],
              ["GEODIST", "m", "Palermo", "Catania", "km"], ["GEOHASH", "m", "Palermo"], ["EXEC"],
              ["ZRANGE", "ms", 0, -1, "WITHSCORES"]):
        do(r, "A", *c)
    for c in (["MULTI"], ["GEOADD", "m", 1, 1, "q"], ["GEOADD", "m", 1, 1], ["EXEC"], ["GEOPOS", "m", "q"]):
        do(r, "A", *c)
    for b_cmd in (["GEOADD", "m", 13.361389, 38.115556, "Palermo"], ["GEOADD", "m", 13.4, 38.115556, "Palermo"],
                  ["GEOADD", "m", "XX", 1, 1, "nomember"], ["GEORADIUS", "m", 15, 37, 200, "km", "STORE", "m"],
                  ["GEOSEARCHSTORE", "m", "nokey", "FROMMEMBER", "a", "BYRADIUS", 1, "km"]):
        do(r, "A", "WATCH", "m")
        do(r, "B", *b_cmd)
        do(r, "A", "MULTI")
        do(r, "A", "ZRANGE", "m", 0, -1, "WITHSCORES")
        do(r, "A", "EXEC")
        do(r, "A", "GEOADD", "m", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania")
    r.open("C", 3)
    scripts = [
        ("return redis.call('geoadd', KEYS[1], 13.361389, 38.115556, 'Palermo', 15.087269, 37.502669, 'Catania')",
         ["sg"]),
        ("return redis.call('geopos', KEYS[1], 'Palermo', 'nomember')", ["sg"]),
        ("redis.setresp(3)\nreturn redis.call('geopos', KEYS[1], 'Palermo', 'nomember')", ["sg"]),
        ("redis.setresp(3)\nlocal p = redis.call('geopos', KEYS[1], 'Palermo')\nreturn {type(p[1][1]), "
         "tostring(p[1][1]['double'])}", ["sg"]),
        ("return redis.call('geodist', KEYS[1], 'Palermo', 'Catania', 'km')", ["sg"]),
        ("return redis.call('geohash', KEYS[1], 'Palermo', 'Catania')", ["sg"]),
        ("return redis.call('geosearch', KEYS[1], 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'km', 'WITHDIST', "
         "'WITHCOORD', 'WITHHASH', 'ASC')", ["sg"]),
        ("redis.setresp(3)\nreturn redis.call('georadius_ro', KEYS[1], 15, 37, 200, 'km', 'WITHCOORD', 'ASC')",
         ["sg"]),
        ("return redis.call('georadius', KEYS[1], 15, 37, 200, 'km', 'STORE', KEYS[2])", ["sg", "sgd"]),
        ("return redis.call('geosearchstore', KEYS[2], KEYS[1], 'FROMMEMBER', 'Palermo', 'BYRADIUS', 500, 'km', "
         "'STOREDIST')", ["sg", "sgd"]),
        ("return redis.call('zrange', KEYS[1], 0, -1, 'WITHSCORES')", ["sgd"]),
        ("return redis.pcall('geoadd', KEYS[1], 500, 1, 'x')", ["sg"]),
        ("return redis.pcall('geosearch', KEYS[1], 'FROMMEMBER', 'nomember', 'BYRADIUS', 1, 'km')", ["sg"]),
    ]
    for body, keys in scripts:
        do(r, "A", "EVAL", body, len(keys), *keys)
        do(r, "C", "EVAL", body, len(keys), *keys)
    for body in ("return redis.call('geopos', KEYS[1], 'Palermo')",
                 "return redis.call('geoadd', KEYS[1], 1, 1, 'a')",
                 "return redis.call('georadius', KEYS[1], 15, 37, 200, 'km')",
                 "return redis.call('georadius_ro', KEYS[1], 15, 37, 200, 'km')",
                 "return redis.call('georadiusbymember', KEYS[1], 'Palermo', 200, 'km')",
                 "return redis.call('georadiusbymember_ro', KEYS[1], 'Palermo', 200, 'km')",
                 "return redis.call('geosearch', KEYS[1], 'FROMMEMBER', 'Palermo', 'BYRADIUS', 200, 'km')",
                 "return redis.call('geosearchstore', KEYS[1], KEYS[1], 'FROMMEMBER', 'Palermo', 'BYRADIUS', 2, 'km')"):
        do(r, "A", "EVAL_RO", body, 1, "sg")


GEO_EVENT_COMMANDS = [
    ["GEOADD", "g", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"],
    ["GEOADD", "g", 13.361389, 38.115556, "Palermo"], ["GEOADD", "g", "XX", 1, 1, "Palermo"],
    ["GEOADD", "g", "NX", 1, 1, "Palermo"], ["GEOADD", "g", 500, 1, "x"], ["GEOADD", "g", "XX", 1, 1, "none"],
    ["GEOPOS", "g", "Palermo"], ["GEOPOS", "nokey", "a"], ["GEOHASH", "nokey", "a"], ["GEODIST", "nokey", "a", "b"],
    ["GEORADIUS", "nokey", 1, 1, 1, "km"], ["GEOSEARCH", "nokey", "FROMMEMBER", "a", "BYRADIUS", 1, "km"],
    ["GEORADIUS", "g", 15, 37, 200, "km", "STORE", "d1"], ["GEORADIUS", "g", 15, 37, 200, "km", "STOREDIST", "d1"],
    ["GEORADIUSBYMEMBER", "g", "Palermo", 200, "km", "STORE", "d2"],
    ["GEOSEARCHSTORE", "d3", "g", "FROMMEMBER", "Palermo", "BYRADIUS", 200, "km"],
    ["GEOSEARCHSTORE", "d3", "g", "FROMMEMBER", "Palermo", "BYRADIUS", 200, "km", "STOREDIST"],
    ["GEOSEARCHSTORE", "d3", "g", "FROMMEMBER", "Palermo", "BYRADIUS", 1, "m"],
    ["GEOSEARCHSTORE", "d3", "g", "FROMMEMBER", "Palermo", "BYRADIUS", 1, "m"],
    ["GEORADIUS", "g", 100, 10, 1, "km", "STORE", "d1"], ["GEORADIUS", "nokey", 100, 10, 1, "km", "STORE", "d2"],
    ["GEOSEARCHSTORE", "d1", "nokey", "FROMMEMBER", "a", "BYRADIUS", 1, "km"],
    ["GEOSEARCHSTORE", "g", "g", "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km"],
]


@scenario
def geo_keyspace_events(r):
    """Keyspace notifications: GEOADD is a "zadd" (none when nothing
    changed), GEORADIUS[BYMEMBER] ... STORE a "georadiusstore",
    GEOSEARCHSTORE a "geosearchstore", an empty result or missing source
    "del" of the destination; with the key-miss and new-key classes (m, n)
    too: the reads' misses and the destinations' creation."""
    fresh(r, clients=("A", "E"))
    do(r, "A", "CONFIG", "SET", "notify-keyspace-events", "KEAmn")
    try:
        do(r, "E", "PSUBSCRIBE", "__key*@0__:*")
        for c in GEO_EVENT_COMMANDS:
            do(r, "A", *c)
            r.events("E", fmt_args([str(x) for x in c]))
        for c in (["MULTI"], ["GEOADD", "tx", 1, 1, "a", 2, 2, "b"],
                  ["GEORADIUS", "tx", 1, 1, 500, "km", "STORE", "ty"],
                  ["GEOSEARCHSTORE", "tz", "tx", "FROMMEMBER", "a", "BYRADIUS", 1, "km", "STOREDIST"], ["EXEC"]):
            do(r, "A", *c)
        r.events("E", "MULTI ... EXEC")
        do(r, "A", "CONFIG", "SET", "notify-keyspace-events", "KEA")
        do(r, "A", "GEOADD", "short", 1, 1, "a")
        do(r, "A", "PEXPIRE", "short", 20)
        r.events("E", "GEOADD, PEXPIRE")
        r.sleep(SLEEP, "short expires")
        do(r, "A", "GEOPOS", "short", "a")
        do(r, "A", "GEOSEARCH", "short", "FROMMEMBER", "a", "BYRADIUS", 1, "km")
        r.events("E", "the expiry of a geo set")
    finally:
        do(r, "A", "CONFIG", "SET", "notify-keyspace-events", "")
