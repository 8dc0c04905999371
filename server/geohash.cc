#include "server/geohash.h"

#include <cmath>
#include <cstdint>

namespace tmkv::server::geo {
namespace {

constexpr Range kLonRange{kLonMin, kLonMax};
constexpr Range kLatRange{kLatMin, kLatMax};
// GEOHASH's output uses the usual geohash latitude range, not Mercator's.
constexpr Range kStandardLatRange{-90.0, 90.0};

constexpr double kEarthRadiusMeters = 6372797.560856;
// Half the Mercator world's width in meters: the radius at which a
// search's cells are as wide as the world (step estimation).
constexpr double kMercatorMax = 20037726.37;
constexpr double kDegToRad = M_PI / 180.0;

double deg_to_rad(double deg) { return deg * kDegToRad; }
double rad_to_deg(double rad) { return rad / kDegToRad; }

// The 32 bits of v moved to the even bit positions of a 64-bit word.
uint64_t spread_bits(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x << 2)) & 0x3333333333333333ull;
  x = (x | (x << 1)) & 0x5555555555555555ull;
  return x;
}

// The inverse: the even bits of x gathered into 32 bits.
uint32_t gather_bits(uint64_t x) {
  x &= 0x5555555555555555ull;
  x = (x | (x >> 1)) & 0x3333333333333333ull;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFull;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFull;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFull;
  return static_cast<uint32_t>(x);
}

constexpr uint64_t kEvenBits = 0x5555555555555555ull;  // latitude's
constexpr uint64_t kOddBits = 0xAAAAAAAAAAAAAAAAull;   // longitude's

// A coordinate's cell number: the fraction of its range times 2^step, as a
// 32-bit integer (truncated). The checks above keep it in range.
uint32_t cell_number(double value, Range r, int step) {
  double offset = (value - r.min) / (r.max - r.min);
  offset *= static_cast<double>(1ull << step);
  return static_cast<uint32_t>(offset);
}

// The cell of (lon, lat) at `step` over the given ranges. False (and no
// cell) outside the Mercator limits or the ranges.
bool encode(Range lon_r, Range lat_r, double lon, double lat, int step, Cell* out) {
  if (!valid_lon_lat(lon, lat)) return false;
  out->bits = 0;
  out->step = step;
  if (lat < lat_r.min || lat > lat_r.max || lon < lon_r.min || lon > lon_r.max) return false;
  out->bits = spread_bits(cell_number(lat, lat_r, step)) | (spread_bits(cell_number(lon, lon_r, step)) << 1);
  return true;
}

struct Area {
  Range lon, lat;
};

// The rectangle a cell covers. The cell numbers are 32-bit, and "number
// + 1" wraps at 2^32 as Redis's unsigned arithmetic does (reachable only
// from scores no GEOADD wrote).
Area cell_area(Range lon_r, Range lat_r, const Cell& c) {
  const uint32_t ilat = gather_bits(c.bits);
  const uint32_t ilon = gather_bits(c.bits >> 1);
  const double cells = static_cast<double>(1ull << c.step);
  const double lat_scale = lat_r.max - lat_r.min;
  const double lon_scale = lon_r.max - lon_r.min;
  const uint32_t ilat_next = ilat + 1u, ilon_next = ilon + 1u;
  Area a;
  a.lat.min = lat_r.min + (ilat * 1.0 / cells) * lat_scale;
  a.lat.max = lat_r.min + (ilat_next * 1.0 / cells) * lat_scale;
  a.lon.min = lon_r.min + (ilon * 1.0 / cells) * lon_scale;
  a.lon.max = lon_r.min + (ilon_next * 1.0 / cells) * lon_scale;
  return a;
}

// A score's bits as redis-server's x86-64 build casts a double to
// uint64_t: below 2^63 through the signed conversion (negative scores
// wrap; out of range gives 2^63), from 2^63 by subtracting 2^63 first and
// setting the top bit back (out of range then gives 0).
uint64_t score_bits(double score) {
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr uint64_t kTop = 1ull << 63;
  auto signed_cast = [](double v) -> uint64_t {
    if (v >= -kTwo63 && v < kTwo63) return static_cast<uint64_t>(static_cast<int64_t>(v));
    return kTop;  // x86's "integer indefinite"
  };
  if (!(score >= kTwo63)) return signed_cast(score);
  return signed_cast(score - kTwo63) ^ kTop;
}

// Moving a cell one step east / west (dx) or north / south (dy) with
// wrap-around: fill the other coordinate's bits with ones so that the
// carry (or borrow) of the add runs through them, then keep this
// coordinate's bits only.
void move_x(Cell* c, int dx) {
  if (dx == 0) return;
  const int shift = 64 - c->step * 2;
  uint64_t x = c->bits & kOddBits;
  const uint64_t y = c->bits & kEvenBits;
  const uint64_t fill = kEvenBits >> shift;
  if (dx > 0) {
    x = x + (fill + 1);
  } else {
    x = (x | fill) - (fill + 1);
  }
  c->bits = (x & (kOddBits >> shift)) | y;
}

void move_y(Cell* c, int dy) {
  if (dy == 0) return;
  const int shift = 64 - c->step * 2;
  const uint64_t x = c->bits & kOddBits;
  uint64_t y = c->bits & kEvenBits;
  const uint64_t fill = kOddBits >> shift;
  if (dy > 0) {
    y = y + (fill + 1);
  } else {
    y = (y | fill) - (fill + 1);
  }
  c->bits = x | (y & (kEvenBits >> shift));
}

Cell neighbour(const Cell& c, int dx, int dy) {
  Cell n = c;
  move_x(&n, dx);
  move_y(&n, dy);
  return n;
}

// The search's cell size: the step at which a cell is about as wide as the
// radius (the world halves per step), two steps coarser to be safe, one
// or two more near the poles where meridians converge; 26 for radius 0.
int estimate_step(double range_meters, double lat) {
  if (range_meters == 0) return kStepMax;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > kStepMax) step = kStepMax;
  return step;
}

// The longitude-latitude box around the shape. East-west it is measured
// on the parallel nearer the pole (wider in degrees): the top edge in the
// northern hemisphere, the bottom one in the southern.
struct Bounds {
  double min_lon, min_lat, max_lon, max_lat;
};

Bounds bounding_box(const Shape& s) {
  const double half_height = s.to_meters * (s.box ? s.height / 2 : s.radius);
  const double half_width = s.to_meters * (s.box ? s.width / 2 : s.radius);
  const double lon = s.center.lon, lat = s.center.lat;
  const double lat_delta = rad_to_deg(half_height / kEarthRadiusMeters);
  const double lon_delta_top = rad_to_deg(half_width / kEarthRadiusMeters / std::cos(deg_to_rad(lat + lat_delta)));
  const double lon_delta_bottom =
      rad_to_deg(half_width / kEarthRadiusMeters / std::cos(deg_to_rad(lat - lat_delta)));
  const bool south = lat < 0;
  Bounds b;
  b.min_lon = south ? lon - lon_delta_bottom : lon - lon_delta_top;
  b.max_lon = south ? lon + lon_delta_bottom : lon + lon_delta_top;
  b.min_lat = lat - lat_delta;
  b.max_lat = lat + lat_delta;
  return b;
}

// North-south distance in meters (the haversine's value when the
// longitudes agree, without its trigonometry).
double lat_distance(double lat1, double lat2) {
  return kEarthRadiusMeters * std::fabs(deg_to_rad(lat2) - deg_to_rad(lat1));
}

}  // namespace

bool valid_lon_lat(double lon, double lat) {
  return !(lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin);
}

uint64_t score_of(double lon, double lat) {
  Cell c;
  encode(kLonRange, kLatRange, lon, lat, kStepMax, &c);
  return c.bits;  // step 26: already 52 bits wide, no alignment shift
}

Point decode_score(double score) {
  const Area a = cell_area(kLonRange, kLatRange, Cell{score_bits(score), kStepMax});
  Point p;
  p.lon = (a.lon.min + a.lon.max) / 2;
  if (p.lon > kLonMax) p.lon = kLonMax;
  if (p.lon < kLonMin) p.lon = kLonMin;
  p.lat = (a.lat.min + a.lat.max) / 2;
  if (p.lat > kLatMax) p.lat = kLatMax;
  if (p.lat < kLatMin) p.lat = kLatMin;
  return p;
}

std::string standard_geohash(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  const Point p = decode_score(score);
  Cell c;
  encode(kLonRange, kStandardLatRange, p.lon, p.lat, kStepMax, &c);  // p is within the limits
  std::string out(11, '0');
  // 52 bits make ten characters of five bits; the eleventh, which the
  // geohash format expects, is always '0'.
  for (int i = 0; i < 10; ++i) out[i] = kAlphabet[(c.bits >> (52 - (i + 1) * 5)) & 0x1f];
  return out;
}

double distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = deg_to_rad(lon1);
  const double lon2r = deg_to_rad(lon2);
  const double v = std::sin((lon2r - lon1r) / 2);
  if (v == 0.0) return lat_distance(lat1, lat2);
  const double lat1r = deg_to_rad(lat1);
  const double lat2r = deg_to_rad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(a));
}

int64_t score_as_integer(double score) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (score >= -kTwo63 && score < kTwo63) return static_cast<int64_t>(score);
  return INT64_MIN;
}

bool within(const Shape& s, double score, Point* p, double* dist_m) {
  *p = decode_score(score);
  if (!s.box) {
    *dist_m = distance(s.center.lon, s.center.lat, p->lon, p->lat);
    return !(*dist_m > s.radius * s.to_meters);
  }
  // A box: within half its height north-south and half its width along
  // the point's own parallel.
  const double width_m = s.width * s.to_meters, height_m = s.height * s.to_meters;
  if (lat_distance(p->lat, s.center.lat) > height_m / 2) return false;
  if (distance(p->lon, p->lat, s.center.lon, p->lat) > width_m / 2) return false;
  *dist_m = distance(s.center.lon, s.center.lat, p->lon, p->lat);
  return true;
}

std::array<Cell, 9> search_cells(const Shape& s) {
  const Bounds b = bounding_box(s);
  const double lon = s.center.lon, lat = s.center.lat;
  // A box is estimated by the distance from its centre to a corner.
  double radius_meters = s.box ? std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius;
  radius_meters *= s.to_meters;
  int step = estimate_step(radius_meters, lat);

  Cell centre;
  encode(kLonRange, kLatRange, lon, lat, step, &centre);
  auto neighbours_of = [](const Cell& c) {
    return std::array<Cell, 9>{c,
                               neighbour(c, 0, 1),    // north
                               neighbour(c, 0, -1),   // south
                               neighbour(c, 1, 0),    // east
                               neighbour(c, -1, 0),   // west
                               neighbour(c, 1, 1),    // north-east
                               neighbour(c, -1, 1),   // north-west
                               neighbour(c, 1, -1),   // south-east
                               neighbour(c, -1, -1)};  // south-west
  };
  std::array<Cell, 9> cells = neighbours_of(centre);

  // When the box reaches past the outer edge of a direct neighbour, the
  // cells are too small to cover it: one step coarser.
  const Area north = cell_area(kLonRange, kLatRange, cells[1]);
  const Area south = cell_area(kLonRange, kLatRange, cells[2]);
  const Area east = cell_area(kLonRange, kLatRange, cells[3]);
  const Area west = cell_area(kLonRange, kLatRange, cells[4]);
  const bool too_small = north.lat.max < b.max_lat || south.lat.min > b.min_lat || east.lon.max < b.max_lon ||
                         west.lon.min > b.min_lon;
  if (step > 1 && too_small) {
    step--;
    encode(kLonRange, kLatRange, lon, lat, step, &centre);
    cells = neighbours_of(centre);
  }

  // Neighbours on a side the box does not reach past the centre cell are
  // not read (but at step 1, where the cells wrap around the world).
  if (step >= 2) {
    const Area a = cell_area(kLonRange, kLatRange, centre);
    const Cell none;
    if (a.lat.min < b.min_lat) cells[2] = cells[8] = cells[7] = none;  // south, south-west, south-east
    if (a.lat.max > b.max_lat) cells[1] = cells[5] = cells[6] = none;  // north, north-east, north-west
    if (a.lon.min < b.min_lon) cells[4] = cells[8] = cells[6] = none;  // west, south-west, north-west
    if (a.lon.max > b.max_lon) cells[3] = cells[7] = cells[5] = none;  // east, south-east, north-east
  }
  return cells;
}

void cell_scores(const Cell& c, double* min, double* max) {
  // A cell of `step` bits per coordinate holds every 52-bit score that
  // starts with its 2*step bits.
  const int shift = 52 - c.step * 2;
  *min = static_cast<double>(c.bits << shift);
  *max = static_cast<double>((c.bits + 1) << shift);
}

}  // namespace tmkv::server::geo
