// The geohash arithmetic under the GEO commands (cmd_geo.cc), done the way
// Redis 7.0 does it, so that a geo set's scores, the coordinates decoded
// from them, the distances and the cells a search visits are the very
// doubles redis-server computes:
//
//   * a point is two 26-bit cell numbers, one for the longitude over
//     [-180, 180] and one for the latitude over the Web Mercator limits
//     [-85.05112878, 85.05112878], interleaved bit by bit (latitude on the
//     even bits, longitude on the odd ones) into a 52-bit integer: the
//     member's score, exact in a double;
//   * a score decodes to the centre of its cell, clamped to the limits;
//   * distances are the haversine formula on a sphere of Redis's radius
//     (6372797.560856 m), with Redis's shortcut when the longitudes agree;
//   * a search covers its shape's bounding box with a cell of a size
//     estimated from the radius and its eight neighbours, drops the
//     neighbours the box cannot reach, and reads each cell as one score
//     range of the sorted set.
//
// Every expression keeps Redis's order of floating-point operations (this
// file is compiled without contraction into fused multiply-adds), and the
// libm calls are the same glibc ones, so the results agree to the bit.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace tmkv::server::geo {

inline constexpr double kLonMin = -180.0;
inline constexpr double kLonMax = 180.0;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
// Bits per coordinate in a stored score (2 * 26 = 52 bits).
inline constexpr int kStepMax = 26;

struct Range {
  double min, max;
};

// A geohash cell: `step` bits per coordinate, interleaved in `bits`. The
// all-zero cell (step 0) means "no cell" in a search's list.
struct Cell {
  uint64_t bits = 0;
  int step = 0;
  bool none() const { return bits == 0 && step == 0; }
  bool operator==(const Cell&) const = default;
};

struct Point {
  double lon = 0, lat = 0;
};

// Within the range a GEOADD accepts (Redis's check: the Mercator limits).
bool valid_lon_lat(double lon, double lat);

// A valid point's 52-bit score (GEOADD).
uint64_t score_of(double lon, double lat);

// The point a score stands for: the centre of its cell, clamped to the
// limits. Any double decodes (a score GEOADD did not write is read as
// redis-server's x86-64 build reads it: cast to a 64-bit integer).
Point decode_score(double score);

// GEOHASH's 11 characters: the point re-encoded over the standard
// latitude range [-90, 90], in base32, the last character always '0'.
std::string standard_geohash(double score);

// Great-circle distance in meters.
double distance(double lon1, double lat1, double lon2, double lat2);

// WITHHASH's integer: the score as x86-64 converts a double to a signed
// 64-bit integer (out of range: INT64_MIN).
int64_t score_as_integer(double score);

// A search's area: a circle of `radius`, or a box `width` x `height`
// (east-west by north-south), in the unit `to_meters` converts from,
// around `center`.
struct Shape {
  Point center;
  bool box = false;
  double radius = 0;
  double width = 0, height = 0;
  double to_meters = 1;
};

// Whether the point of `score` is inside the shape; if so, *p is the point
// and *dist_m its distance from the centre in meters.
bool within(const Shape& s, double score, Point* p, double* dist_m);

// The cells to read, in Redis's order: the centre's cell, then north,
// south, east, west, north-east, north-west, south-east, south-west; a
// neighbour the bounding box cannot reach is none().
std::array<Cell, 9> search_cells(const Shape& s);

// The scores of a cell's points: [*min, *max).
void cell_scores(const Cell& c, double* min, double* max);

}  // namespace tmkv::server::geo
