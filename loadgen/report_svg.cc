// --plot: two charts one above the other, sharing the time axis: throughput
// (operations finished per second) and p99 latency per second. Plain SVG
// polylines with axes, ticks and labels; warm-up seconds are shaded.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "loadgen/format.h"
#include "loadgen/report.h"

namespace tmkv::loadgen {

namespace {

constexpr double kWidth = 800, kPanelHeight = 240, kLeft = 80, kRight = 20, kTop = 40, kGap = 60;

// A "nice" step (1, 2 or 5 times a power of ten) giving about `ticks` ticks.
double nice_step(double range, int ticks) {
  if (range <= 0) return 1;
  const double raw = range / ticks;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

std::string fmt(double v) {
  char buf[32];
  if (v != 0 && (std::abs(v) >= 1e6 || std::abs(v) < 1e-2)) std::snprintf(buf, sizeof buf, "%.2g", v);
  else std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void panel(std::ostringstream& s, double top, const std::string& title, const std::string& unit,
           const std::vector<double>& ys, double warmup_s, const char* color) {
  const double plot_w = kWidth - kLeft - kRight, plot_h = kPanelHeight;
  const auto n = static_cast<double>(ys.size());
  const double xmax = std::max(1.0, n);
  double ymax = 0;
  for (double y : ys) ymax = std::max(ymax, y);
  const double ystep = nice_step(ymax > 0 ? ymax : 1, 5);
  ymax = std::ceil((ymax > 0 ? ymax : 1) / ystep) * ystep;
  auto X = [&](double x) { return kLeft + x / xmax * plot_w; };
  auto Y = [&](double y) { return top + plot_h - y / ymax * plot_h; };

  s << "<text x=\"" << kLeft << "\" y=\"" << top - 10 << "\" font-size=\"14\" font-weight=\"bold\">" << title
    << "</text>\n";
  if (warmup_s > 0)
    s << "<rect x=\"" << X(0) << "\" y=\"" << top << "\" width=\"" << X(std::min(warmup_s, xmax)) - X(0)
      << "\" height=\"" << plot_h << "\" fill=\"#eeeeee\"/>\n";
  // Grid and y ticks.
  for (double y = 0; y <= ymax + ystep / 2; y += ystep) {
    s << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\"" << Y(y) << "\" y2=\"" << Y(y)
      << "\" stroke=\"#dddddd\"/>\n";
    s << "<text x=\"" << kLeft - 6 << "\" y=\"" << Y(y) + 4 << "\" font-size=\"11\" text-anchor=\"end\">" << fmt(y)
      << "</text>\n";
  }
  // x ticks.
  const double xstep = nice_step(xmax, 10);
  for (double x = 0; x <= xmax + xstep / 2; x += xstep)
    s << "<text x=\"" << X(x) << "\" y=\"" << top + plot_h + 16 << "\" font-size=\"11\" text-anchor=\"middle\">"
      << fmt(x) << "</text>\n";
  // Axes.
  s << "<line x1=\"" << kLeft << "\" y1=\"" << top << "\" x2=\"" << kLeft << "\" y2=\"" << top + plot_h
    << "\" stroke=\"black\"/>\n<line x1=\"" << kLeft << "\" y1=\"" << top + plot_h << "\" x2=\"" << kLeft + plot_w
    << "\" y2=\"" << top + plot_h << "\" stroke=\"black\"/>\n";
  s << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << top + plot_h + 32
    << "\" font-size=\"12\" text-anchor=\"middle\">time (s)</text>\n";
  s << "<text transform=\"translate(" << 18 << "," << top + plot_h / 2
    << ") rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">" << unit << "</text>\n";
  // The series: the value of second i is drawn at its end, i + 1.
  s << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\" points=\"";
  for (size_t i = 0; i < ys.size(); ++i) s << X(static_cast<double>(i + 1)) << "," << Y(ys[i]) << " ";
  s << "\"/>\n";
}

}  // namespace

bool write_svg_plot(const Report& r, const std::string& path, std::string& error) {
  std::vector<double> ops, p99;
  for (const SecondStats& x : r.run->series) {
    ops.push_back(static_cast<double>(x.ops));
    p99.push_back(static_cast<double>(x.latency.percentile(0.99)) / 1e6);
  }
  const double height = kTop + 2 * kPanelHeight + kGap + 50;
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << height
    << "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  const std::string what = "tmkv-loadgen " + r.workload + (r.opts->rate > 0 ? " (open loop)" : "");
  panel(s, kTop, what + ": throughput", "operations/s", ops, r.opts->warmup_s, "#1f77b4");
  panel(s, kTop + kPanelHeight + kGap, "p99 latency per second (all operations)", "ms", p99, r.opts->warmup_s,
        "#d62728");
  s << "</svg>\n";
  return write_text_file(path, s.str(), error);
}

}  // namespace tmkv::loadgen
