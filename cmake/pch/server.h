// Precompiled for tmkv_server_lib (cmake/PrecompiledHeaders.cmake). Every
// server source includes server/server.h and so <asio.hpp>; parsing it and
// these standard headers was about a third of each file's compile. Only
// third-party and standard headers belong here: our own headers change too
// often, and each change would rebuild the whole precompiled header.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <asio.hpp>
