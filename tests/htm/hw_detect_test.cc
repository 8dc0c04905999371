// Abort-status decoding for each backend, and run-time detection on the
// machine the test runs on (computed independently here, so the test tells
// the truth on an RTM machine as well as on ours).
#include "htm/hw_detect.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>

#include "htm/hw_ops.h"
#include "htm/status_decode.h"
#include "stm/tx.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace tmkv::htm {
namespace {

uint64_t rtm_explicit(uint8_t code) { return rtm_bits::kExplicit | (uint64_t{code} << 24); }

TEST(DecodeRtm, CauseBits) {
  using namespace rtm_bits;
  EXPECT_EQ(decode_rtm_status(kConflict), HwAbort::kConflict);
  EXPECT_EQ(decode_rtm_status(kConflict | kRetry), HwAbort::kConflict);
  EXPECT_EQ(decode_rtm_status(kCapacity), HwAbort::kCapacity);
  EXPECT_EQ(decode_rtm_status(kCapacity | kConflict), HwAbort::kCapacity) << "capacity wins: retrying cannot help";
  EXPECT_EQ(decode_rtm_status(kRetry), HwAbort::kRetryHint);
  EXPECT_EQ(decode_rtm_status(kNested), HwAbort::kNested);
  EXPECT_EQ(decode_rtm_status(kDebug), HwAbort::kInterrupt);
  EXPECT_EQ(decode_rtm_status(0), HwAbort::kInterrupt) << "status 0: interrupt, fault, unfriendly instruction";
}

TEST(DecodeRtm, ExplicitCodes) {
  EXPECT_EQ(decode_rtm_status(rtm_explicit(stm::kHwLockedLocation)), HwAbort::kLockedLocation);
  EXPECT_EQ(decode_rtm_status(rtm_explicit(stm::kHwNeedsSoftware)), HwAbort::kNeedsSoftware);
  EXPECT_EQ(decode_rtm_status(rtm_explicit(detail::kCodeSerialBusy)), HwAbort::kSerialBusy);
  EXPECT_EQ(decode_rtm_status(rtm_explicit(detail::kCodeUserAbort)), HwAbort::kUserAbort);
  EXPECT_EQ(decode_rtm_status(rtm_explicit(0xff)), HwAbort::kUnknown);
  EXPECT_EQ(decode_rtm_status(rtm_explicit(detail::kCodeSerialBusy) | rtm_bits::kRetry), HwAbort::kSerialBusy);
}

TEST(DecodeTme, CauseBitsAndCancelReasons) {
  using namespace tme_bits;
  EXPECT_EQ(decode_tme_status(kMemory), HwAbort::kConflict);
  EXPECT_EQ(decode_tme_status(kMemory | kRetry), HwAbort::kConflict);
  EXPECT_EQ(decode_tme_status(kSize), HwAbort::kCapacity);
  EXPECT_EQ(decode_tme_status(kNest), HwAbort::kNested);
  EXPECT_EQ(decode_tme_status(kInterrupt), HwAbort::kInterrupt);
  EXPECT_EQ(decode_tme_status(kDebug), HwAbort::kInterrupt);
  EXPECT_EQ(decode_tme_status(kRetry), HwAbort::kRetryHint);
  EXPECT_EQ(decode_tme_status(kError), HwAbort::kUnknown);
  EXPECT_EQ(decode_tme_status(kTrivial), HwAbort::kUnknown);
  EXPECT_EQ(decode_tme_status(kCancel | stm::kHwLockedLocation), HwAbort::kLockedLocation);
  EXPECT_EQ(decode_tme_status(kCancel | detail::kCodeSerialBusy), HwAbort::kSerialBusy);
  EXPECT_EQ(decode_tme_status(kCancel | detail::kCodeUserAbort), HwAbort::kUserAbort);
}

TEST(HybridStats, CauseAndFallbackNamesAreUniqueSnakeCase) {
  std::set<std::string_view> names(kHwAbortNames.begin(), kHwAbortNames.end());
  EXPECT_EQ(names.size(), kHwAbortNames.size());
  std::set<std::string_view> fb(kFallbackNames.begin(), kFallbackNames.end());
  EXPECT_EQ(fb.size(), kFallbackNames.size());
  for (auto n : names) {
    for (char c : n) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << n;
  }
}

TEST(Detect, TellsTheTruthAboutThisCpu) {
  const HardwareSupport& hw = detect_hardware_support();
  EXPECT_EQ(&hw, &detect_hardware_support()) << "detected once, cached";
  EXPECT_FALSE(hw.reason.empty());
  if (const char* v = std::getenv("TMKV_HTM"); v != nullptr && std::string(v) == "off") {
    EXPECT_FALSE(hw.supported);
    return;
  }
#if defined(__x86_64__)
  EXPECT_EQ(hw.backend, "rtm");
  unsigned a = 0, b = 0, c = 0, d = 0;
  bool rtm_bit = false;
  if (__get_cpuid_max(0, nullptr) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    rtm_bit = (b & (1u << 11)) != 0;
  }
  if (!rtm_bit) {
    EXPECT_FALSE(hw.supported);
    EXPECT_NE(hw.reason.find("RTM[bit 11] = 0"), std::string::npos) << hw.reason;
    EXPECT_EQ(hardware_ops_for(hw), nullptr);
  } else if (hw.supported) {
    EXPECT_NE(hardware_ops_for(hw), nullptr);
  }
#else
  (void)hw;
#endif
}

}  // namespace
}  // namespace tmkv::htm
