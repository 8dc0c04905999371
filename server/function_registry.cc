#include "server/function_registry.h"

#include <algorithm>

#include "server/cmd_util.h"
#include "server/command.h"
#include "server/server.h"

namespace tmkv::server {

std::string FunctionRegistry::publish(std::shared_ptr<const Library> lib, bool replace) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = libraries_.find(lib->name);
  const Library* old = it != libraries_.end() ? it->second.get() : nullptr;
  if (old != nullptr && !replace) return "ERR Library '" + lib->name + "' already exists";
  for (const FunctionInfo& f : lib->functions) {
    auto found = functions_.find(to_lower(f.name));
    if (found != functions_.end() && found->second.first != old) return "ERR Function " + f.name + " already exists";
  }
  if (old != nullptr) unindex(*old);
  for (size_t i = 0; i < lib->functions.size(); ++i) {
    // A library may hold names that differ only in case: the first wins
    // the lookup, as in Redis.
    functions_.emplace(to_lower(lib->functions[i].name), std::make_pair(lib.get(), i));
  }
  libraries_[lib->name] = std::move(lib);
  generation_.fetch_add(1, std::memory_order_release);
  return {};
}

std::string FunctionRegistry::publish_all(const std::vector<std::shared_ptr<const Library>>& libs,
                                          RestorePolicy policy) {
  std::lock_guard<std::mutex> lock(mu_);
  if (policy == RestorePolicy::kFlush) {
    functions_.clear();
    libraries_.clear();
  } else {
    // Every check before any change: a failing restore changes nothing.
    for (const auto& lib : libs) {
      if (policy == RestorePolicy::kAppend && libraries_.count(lib->name) != 0) {
        return "ERR Library " + lib->name + " already exists";
      }
    }
    // A library this restore replaces gives up its function names (under
    // kAppend none is replaced: the loop above returned).
    auto replaced = [&](const std::string& name) {
      return std::any_of(libs.begin(), libs.end(), [&](const auto& lib) { return lib->name == name; });
    };
    for (const auto& lib : libs) {
      for (const FunctionInfo& f : lib->functions) {
        auto found = functions_.find(to_lower(f.name));
        if (found != functions_.end() && !replaced(found->second.first->name)) {
          return "ERR Function " + f.name + " already exists";
        }
      }
    }
    for (const auto& lib : libs) {
      auto it = libraries_.find(lib->name);
      if (it != libraries_.end()) {
        unindex(*it->second);
        libraries_.erase(it);
      }
    }
  }
  for (const auto& lib : libs) {
    for (size_t i = 0; i < lib->functions.size(); ++i) {
      functions_.emplace(to_lower(lib->functions[i].name), std::make_pair(lib.get(), i));
    }
    libraries_[lib->name] = lib;
  }
  generation_.fetch_add(1, std::memory_order_release);
  return {};
}

void FunctionRegistry::unindex(const Library& lib) {
  for (const FunctionInfo& f : lib.functions) {
    auto found = functions_.find(to_lower(f.name));
    if (found != functions_.end() && found->second.first == &lib) functions_.erase(found);
  }
}

bool FunctionRegistry::exists(const std::string& library) const {
  std::lock_guard<std::mutex> lock(mu_);
  return libraries_.count(library) != 0;
}

bool FunctionRegistry::remove(const std::string& library) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = libraries_.find(library);
  if (it == libraries_.end()) return false;
  unindex(*it->second);
  libraries_.erase(it);
  generation_.fetch_add(1, std::memory_order_release);
  return true;
}

void FunctionRegistry::flush() {
  std::lock_guard<std::mutex> lock(mu_);
  functions_.clear();
  libraries_.clear();
  generation_.fetch_add(1, std::memory_order_release);
}

std::optional<FunctionRegistry::Found> FunctionRegistry::find(std::string_view function) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = functions_.find(to_lower(function));
  if (it == functions_.end()) return std::nullopt;
  const Library* lib = it->second.first;
  Found f;
  f.library = libraries_.at(lib->name);
  f.function = &lib->functions[it->second.second];
  return f;
}

std::vector<std::shared_ptr<const Library>> FunctionRegistry::libraries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<const Library>> out;
  out.reserve(libraries_.size());
  for (const auto& [name, lib] : libraries_) out.push_back(lib);
  return out;
}

size_t FunctionRegistry::library_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return libraries_.size();
}

size_t FunctionRegistry::function_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [name, lib] : libraries_) n += lib->functions.size();
  return n;
}

bool fcall_may_grow(const Server& server, const CommandSpec& spec, std::span<const std::string_view> args) {
  if (std::string_view(spec.name) != "fcall" || args.size() < 2) return false;
  std::optional<FunctionRegistry::Found> f = server.functions().find(args[1]);
  return f && !(f->function->flags & (kFnNoWrites | kFnAllowOom));
}

}  // namespace tmkv::server
