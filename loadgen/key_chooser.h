// Which key an operation touches: a number in [0, key_count), drawn from
// the distribution --key-dist names.
//   uniform   every key equally likely
//   zipfian   key i (0-based) with probability proportional to 1/(i+1)^theta,
//             drawn exactly by rejection-inversion (Hoermann & Derflinger
//             1996): O(1) per draw, no table, any theta > 0
//   hotspot   a hot_op_fraction of draws go uniformly to the first
//             hot_fraction of the keys, the rest uniformly to the others
// Rank 0 is the hottest key; keys are not scrambled, which only matters
// to a server whose placement depends on key order (ours hashes keys).
#pragma once

#include <cstdint>
#include <string>

#include "loadgen/rng.h"

namespace tmkv::loadgen {

enum class KeyDist { kUniform, kZipfian, kHotspot };

struct KeyDistSpec {
  KeyDist dist = KeyDist::kUniform;
  uint64_t key_count = 1;
  double zipf_theta = 0.99;
  double hot_fraction = 0.2;
  double hot_op_fraction = 0.8;
};

// Exact Zipf(n, theta) over ranks 1..n by rejection-inversion.
class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double theta);
  uint64_t sample_rank(Rng& rng) const;  // in [1, n]
  // The exact probability of rank k (for the tests): k^-theta / H(n, theta).
  static double probability(uint64_t n, double theta, uint64_t k);

 private:
  double h(double x) const;          // the hat density x^-theta
  double H(double x) const;          // its integral: (x^(1-theta) - 1)/(1-theta)
  double H_inverse(double y) const;  // inverse of H
  uint64_t n_;
  double theta_;
  double h_integral_x1_;  // H(1.5) - 1
  double h_integral_n_;   // H(n + 0.5)
  double s_;              // squeeze constant: 2 - H^-1(H(2.5) - h(2))
};

class KeyChooser {
 public:
  explicit KeyChooser(const KeyDistSpec& spec);
  uint64_t next(Rng& rng) const;
  uint64_t key_count() const { return spec_.key_count; }

 private:
  KeyDistSpec spec_;
  ZipfSampler zipf_;
  uint64_t hot_keys_;  // keys [0, hot_keys_) are the hot set (hotspot)
};

// "uniform" / "zipfian" / "hotspot" -> KeyDist; false if unknown.
bool parse_key_dist(const std::string& name, KeyDist& out);
const char* key_dist_name(KeyDist d);

}  // namespace tmkv::loadgen
