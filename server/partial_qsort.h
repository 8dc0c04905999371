// A partial quicksort with the exact behaviour of the one Redis uses for
// GEORADIUS / GEOSEARCH ... COUNT (its pqsort: the BSD libc quicksort of
// Bentley and McIlroy, "Engineering a Sort Function", 1993, that skips
// the partitions lying wholly outside the ranks wanted).
//
// Why not std::partial_sort: the algorithm is not stable, and which of
// several equally distant members end up in a COUNT-limited reply, and in
// which order, is decided by its exact sequence of comparisons and swaps.
// Doing the same steps gives redis-server's reply for ties too.
//
// The steps: small partitions (under 7) by insertion sort; otherwise a
// pivot from the median of three (of three medians of three above 40
// elements) is moved to the front, and a split-end partition gathers the
// elements equal to it at both ends, then swaps them into the middle.
// The left part recurses, the right part loops, each only if it overlaps
// the ranks [lo, hi]. Unlike some BSD versions, a partition that needed no
// swap is not handed to insertion sort: redis-server 7.0.15 does not take
// that shortcut (its replies to ties show it), so neither does this.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace tmkv::server {

namespace partial_qsort_detail {

// cmp(x, y) < 0, == 0 or > 0, as qsort's comparator.
template <class T, class Cmp>
size_t median_of_three(std::vector<T>& v, size_t a, size_t b, size_t c, Cmp& cmp) {
  if (cmp(v[a], v[b]) < 0) {
    if (cmp(v[b], v[c]) < 0) return b;
    return cmp(v[a], v[c]) < 0 ? c : a;
  }
  if (cmp(v[b], v[c]) > 0) return b;
  return cmp(v[a], v[c]) < 0 ? a : c;
}

template <class T, class Cmp>
void insertion_sort(std::vector<T>& v, size_t first, size_t n, Cmp& cmp) {
  for (size_t m = first + 1; m < first + n; ++m) {
    for (size_t l = m; l > first && cmp(v[l - 1], v[l]) > 0; --l) std::swap(v[l], v[l - 1]);
  }
}

// Swaps the k elements from i with the k from j, pairwise in order.
template <class T>
void swap_blocks(std::vector<T>& v, size_t i, size_t j, size_t k) {
  for (size_t t = 0; t < k; ++t) std::swap(v[i + t], v[j + t]);
}

// Sorts v[first, first + n) far enough that ranks lo..hi (absolute
// indices) hold what a full sort would put there.
template <class T, class Cmp>
void sort_part(std::vector<T>& v, size_t first, size_t n, Cmp& cmp, size_t lo, size_t hi) {
  for (;;) {
    if (n < 7) {
      insertion_sort(v, first, n, cmp);
      return;
    }
    size_t pm = first + n / 2;
    if (n > 7) {
      size_t pl = first, pn = first + n - 1;
      if (n > 40) {
        const size_t d = n / 8;
        pl = median_of_three(v, pl, pl + d, pl + 2 * d, cmp);
        pm = median_of_three(v, pm - d, pm, pm + d, cmp);
        pn = median_of_three(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median_of_three(v, pl, pm, pn, cmp);
    }
    std::swap(v[first], v[pm]);  // the pivot sits at `first`
    // Split-end partition: [first+1, pa) and (pd, end) equal to the pivot,
    // [pa, pb) less, (pc, pd] greater.
    size_t pa = first + 1, pb = first + 1;
    // pc and pd may step to just below pb: kept one above the index
    // they stand for, so they never wrap below zero.
    size_t pc1 = first + n, pd1 = first + n;
    for (;;) {
      int r;
      while (pb < pc1 && (r = cmp(v[pb], v[first])) <= 0) {
        if (r == 0) {
          std::swap(v[pa], v[pb]);
          ++pa;
        }
        ++pb;
      }
      while (pb < pc1 && (r = cmp(v[pc1 - 1], v[first])) >= 0) {
        if (r == 0) {
          std::swap(v[pc1 - 1], v[pd1 - 1]);
          --pd1;
        }
        --pc1;
      }
      if (pb >= pc1) break;
      std::swap(v[pb], v[pc1 - 1]);
      ++pb;
      --pc1;
    }
    const size_t end = first + n;
    size_t k = std::min(pa - first, pb - pa);
    swap_blocks(v, first, pb - k, k);
    // pd - pc (in elements) is pd1 - pc1; pn - pd - 1 is end - pd1.
    k = std::min(pd1 - pc1, end - pd1);
    swap_blocks(v, pb, end - k, k);
    // Elements less than the pivot now fill [first, first + (pb - pa)),
    // the greater ones the last (pd1 - pc1).
    // The two parts are disjoint and each is sorted by the same steps
    // whichever goes first, so the result does not depend on the order.
    // The smaller part recurses and the larger loops: the stack stays
    // O(log n) deep even on an input built to make every pivot bad (which
    // costs quadratic time, as in Redis, but cannot overflow the stack).
    const size_t left = pb - pa;
    const size_t right = pd1 - pc1;
    const auto wanted = [&](size_t from, size_t len) { return len > 1 && !(hi < from || lo >= from + len); };
    const bool do_left = wanted(first, left);
    const bool do_right = wanted(end - right, right);
    if (do_left && do_right) {
      if (left <= right) {
        sort_part(v, first, left, cmp, lo, hi);
        first = end - right;
        n = right;
      } else {
        sort_part(v, end - right, right, cmp, lo, hi);
        n = left;
      }
    } else if (do_left) {
      n = left;
    } else if (do_right) {
      first = end - right;
      n = right;
    } else {
      return;
    }
  }
}

}  // namespace partial_qsort_detail

// Puts into v[lo..hi] (lo <= hi < v.size()) the elements a full sort by
// `cmp` would put there, by Redis's pqsort steps.
template <class T, class Cmp>
void partial_qsort(std::vector<T>& v, size_t lo, size_t hi, Cmp cmp) {
  if (v.empty()) return;
  partial_qsort_detail::sort_part(v, 0, v.size(), cmp, lo, hi);
}

}  // namespace tmkv::server
