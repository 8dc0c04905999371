#include "loadgen/key_chooser.h"

#include <algorithm>
#include <cmath>

namespace tmkv::loadgen {

namespace {
// log1p(x)/x and expm1(x)/x, continuous at 0: they keep H and its inverse
// accurate when theta is close to 1 (where 1 - theta cancels).
double log1p_over_x(double x) { return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x / 2 + x * x / 3; }
double expm1_over_x(double x) { return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x / 2 + x * x / 6; }
}  // namespace

ZipfSampler::ZipfSampler(uint64_t n, double theta) : n_(std::max<uint64_t>(n, 1)), theta_(theta) {
  h_integral_x1_ = H(1.5) - 1.0;
  h_integral_n_ = H(static_cast<double>(n_) + 0.5);
  s_ = 2.0 - H_inverse(H(2.5) - h(2.0));
}

double ZipfSampler::h(double x) const { return std::exp(-theta_ * std::log(x)); }

double ZipfSampler::H(double x) const {
  const double lx = std::log(x);
  return expm1_over_x((1.0 - theta_) * lx) * lx;
}

double ZipfSampler::H_inverse(double y) const {
  double t = y * (1.0 - theta_);
  if (t < -1.0) t = -1.0;  // rounding at the far end of the range
  return std::exp(log1p_over_x(t) * y);
}

uint64_t ZipfSampler::sample_rank(Rng& rng) const {
  // Draw u uniformly under the hat's integral, invert to x, round to the
  // nearest rank k; accept k when u lies in the part of the hat that belongs
  // to k's true mass (the squeeze test k - x <= s_ accepts most draws
  // without evaluating H). Accepted ranks are exactly Zipf distributed.
  for (;;) {
    const double u = h_integral_n_ + rng.unit() * (h_integral_x1_ - h_integral_n_);
    const double x = H_inverse(u);
    auto k = static_cast<uint64_t>(x + 0.5);
    k = std::clamp<uint64_t>(k, 1, n_);
    const auto kd = static_cast<double>(k);
    if (kd - x <= s_ || u >= H(kd + 0.5) - h(kd)) return k;
  }
}

double ZipfSampler::probability(uint64_t n, double theta, uint64_t k) {
  double norm = 0;
  for (uint64_t i = n; i >= 1; --i) norm += std::pow(static_cast<double>(i), -theta);  // small terms first
  return std::pow(static_cast<double>(k), -theta) / norm;
}

KeyChooser::KeyChooser(const KeyDistSpec& spec)
    : spec_(spec),
      zipf_(spec.dist == KeyDist::kZipfian ? spec.key_count : 1, spec.zipf_theta),
      hot_keys_(std::clamp<uint64_t>(
          static_cast<uint64_t>(std::llround(spec.hot_fraction * static_cast<double>(spec.key_count))), 1,
          spec.key_count)) {}

uint64_t KeyChooser::next(Rng& rng) const {
  switch (spec_.dist) {
    case KeyDist::kUniform:
      return rng.below(spec_.key_count);
    case KeyDist::kZipfian:
      return zipf_.sample_rank(rng) - 1;
    case KeyDist::kHotspot:
      if (hot_keys_ == spec_.key_count || rng.unit() < spec_.hot_op_fraction) return rng.below(hot_keys_);
      return hot_keys_ + rng.below(spec_.key_count - hot_keys_);
  }
  return 0;
}

bool parse_key_dist(const std::string& name, KeyDist& out) {
  if (name == "uniform") out = KeyDist::kUniform;
  else if (name == "zipfian" || name == "zipf") out = KeyDist::kZipfian;
  else if (name == "hotspot") out = KeyDist::kHotspot;
  else return false;
  return true;
}

const char* key_dist_name(KeyDist d) {
  switch (d) {
    case KeyDist::kUniform: return "uniform";
    case KeyDist::kZipfian: return "zipfian";
    case KeyDist::kHotspot: return "hotspot";
  }
  return "?";
}

}  // namespace tmkv::loadgen
