// Precompiled once for every GoogleTest binary (cmake/PrecompiledHeaders.cmake):
// 40-odd test files each parsed gtest and these standard headers again.
// Only third-party and standard headers belong here. No Asio: most tests do
// not link the server, and a precompiled header is valid only where the
// macros it mentions (ASIO_STANDALONE...) are defined the same way.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
