// The live progress line on stderr: one line, rewritten about once a
// second, only when stderr is a terminal (quiet in logs and pipes).
#pragma once

#include "loadgen/stats.h"

namespace tmkv::loadgen {

class Progress {
 public:
  Progress(bool enabled, bool mixed) : enabled_(enabled), mixed_(mixed) {}
  // `second`: seconds since the start that the sample ends at.
  void show(double second, double warmup_s, const SecondStats& last_second);
  void finish();  // ends the line

 private:
  bool enabled_;
  bool mixed_;  // several operation types: say the percentiles are over all
  bool shown_ = false;
};

}  // namespace tmkv::loadgen
