// The key distributions against theory: seeded draws, chi-square tests at
// a significance level that a correct sampler fails once in 10^4 runs (and
// the seed is fixed, so a pass is repeatable), plus per-rank checks.
#include "loadgen/key_chooser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace tmkv::loadgen;

namespace {

// Upper critical value of chi-square with `dof` degrees of freedom at
// p = 1e-4 (Wilson-Hilferty approximation, z = 3.719).
double chi2_critical(double dof) {
  const double z = 3.719, a = 2.0 / (9.0 * dof);
  return dof * std::pow(1 - a + z * std::sqrt(a), 3);
}

// Pearson's chi-square of observed counts against expected probabilities;
// cells with expected count < 5 are pooled into one.
double chi_square(const std::vector<uint64_t>& observed, const std::vector<double>& p, uint64_t n, int& dof) {
  double chi = 0, pooled_obs = 0, pooled_exp = 0;
  int cells = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    const double e = p[i] * static_cast<double>(n);
    if (e < 5) {
      pooled_obs += static_cast<double>(observed[i]);
      pooled_exp += e;
      continue;
    }
    const double d = static_cast<double>(observed[i]) - e;
    chi += d * d / e;
    ++cells;
  }
  if (pooled_exp > 0) {
    const double d = pooled_obs - pooled_exp;
    chi += d * d / pooled_exp;
    ++cells;
  }
  dof = cells - 1;
  return chi;
}

std::vector<uint64_t> draw(const KeyChooser& k, uint64_t n, uint64_t seed) {
  std::vector<uint64_t> counts(k.key_count(), 0);
  Rng rng(seed);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t key = k.next(rng);
    EXPECT_LT(key, k.key_count());
    if (key < counts.size()) ++counts[key];
  }
  return counts;
}

std::vector<double> zipf_theory(uint64_t keys, double theta) {
  std::vector<double> p(keys);
  double norm = 0;
  for (uint64_t i = 0; i < keys; ++i) norm += std::pow(static_cast<double>(i + 1), -theta);
  for (uint64_t i = 0; i < keys; ++i) p[i] = std::pow(static_cast<double>(i + 1), -theta) / norm;
  return p;
}

std::vector<uint64_t> draw_zipf(uint64_t keys, double theta, uint64_t samples) {
  KeyDistSpec spec;
  spec.dist = KeyDist::kZipfian;
  spec.key_count = keys;
  spec.zipf_theta = theta;
  return draw(KeyChooser(spec), samples, 1234 + keys);
}

void expect_zipf(uint64_t keys, double theta, uint64_t samples) {
  auto counts = draw_zipf(keys, theta, samples);
  auto p = zipf_theory(keys, theta);
  int dof = 0;
  const double chi = chi_square(counts, p, samples, dof);
  EXPECT_LT(chi, chi2_critical(dof)) << "zipf n=" << keys << " theta=" << theta << " dof=" << dof;
  // The hottest ranks one by one: within 5 standard deviations.
  for (uint64_t i = 0; i < std::min<uint64_t>(keys, 10); ++i) {
    const double e = p[i] * static_cast<double>(samples);
    const double sd = std::sqrt(e * (1 - p[i]));
    EXPECT_NEAR(static_cast<double>(counts[i]), e, 5 * sd) << "rank " << i + 1 << " theta " << theta;
  }
  // And the helper the tests of other code may use agrees.
  EXPECT_NEAR(ZipfSampler::probability(keys, theta, 1), p[0], 1e-12);
}

}  // namespace

TEST(KeyChooser, ZipfMatchesTheoryAcrossTheta) {
  expect_zipf(1000, 0.99, 2'000'000);  // YCSB's default
  expect_zipf(1000, 0.5, 2'000'000);
  expect_zipf(100, 1.0, 1'000'000);    // theta = 1 exactly (log form)
  expect_zipf(50, 1.5, 1'000'000);     // theta > 1
  expect_zipf(2, 0.99, 200'000);
}

// The test above can fail: draws with a slightly different exponent, or
// the approximate (Gray et al.) shape, are rejected at the same threshold.
TEST(KeyChooser, ChiSquareRejectsAWrongExponent) {
  const uint64_t keys = 1000, n = 2'000'000;
  auto counts = draw_zipf(keys, 0.95, n);
  int dof = 0;
  const double chi = chi_square(counts, zipf_theory(keys, 0.99), n, dof);
  EXPECT_GT(chi, chi2_critical(dof)) << "theta 0.95 passed as 0.99";
}

TEST(KeyChooser, ZipfLargeKeySpaceStaysInRangeAndIsSkewed) {
  KeyDistSpec spec;
  spec.dist = KeyDist::kZipfian;
  spec.key_count = 10'000'000;
  spec.zipf_theta = 0.99;
  KeyChooser k(spec);
  Rng rng(9);
  uint64_t first = 0, n = 1'000'000;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t key = k.next(rng);
    ASSERT_LT(key, spec.key_count);
    first += key == 0;
  }
  const double p1 = ZipfSampler::probability(spec.key_count, 0.99, 1);
  const double sd = std::sqrt(p1 * (1 - p1) * static_cast<double>(n));
  EXPECT_NEAR(static_cast<double>(first), p1 * static_cast<double>(n), 5 * sd);
}

TEST(KeyChooser, UniformIsUniform) {
  KeyDistSpec spec;
  spec.key_count = 500;
  const uint64_t n = 1'000'000;
  auto counts = draw(KeyChooser(spec), n, 5);
  int dof = 0;
  const double chi = chi_square(counts, std::vector<double>(500, 1.0 / 500), n, dof);
  EXPECT_LT(chi, chi2_critical(dof));
}

TEST(KeyChooser, HotspotSendsTheHotFractionOfOpsToTheHotKeys) {
  KeyDistSpec spec;
  spec.dist = KeyDist::kHotspot;
  spec.key_count = 1000;
  spec.hot_fraction = 0.1;
  spec.hot_op_fraction = 0.9;
  const uint64_t n = 1'000'000;
  auto counts = draw(KeyChooser(spec), n, 11);
  std::vector<double> p(1000);
  for (size_t i = 0; i < 1000; ++i) p[i] = i < 100 ? 0.9 / 100 : 0.1 / 900;
  int dof = 0;
  const double chi = chi_square(counts, p, n, dof);
  EXPECT_LT(chi, chi2_critical(dof));
}

TEST(KeyChooser, ParsesNames) {
  KeyDist d;
  EXPECT_TRUE(parse_key_dist("zipfian", d));
  EXPECT_EQ(d, KeyDist::kZipfian);
  EXPECT_TRUE(parse_key_dist("hotspot", d));
  EXPECT_EQ(d, KeyDist::kHotspot);
  EXPECT_FALSE(parse_key_dist("gaussian", d));
}
