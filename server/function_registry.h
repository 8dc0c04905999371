// The server's function libraries (FUNCTION LOAD, FCALL): Redis 7.0's
// library store, shared by every I/O thread.
//
// A Library is immutable once published: its name, its code and what its
// load step registered (names, flags, descriptions). FUNCTION LOAD builds one
// on the calling thread, after running its load step there to validate it
// (script_engine.h, load_library_functions), and publishes it here; FCALL
// looks a function up here and gets a shared pointer to the library that
// holds it, so the call runs exactly that version even if a FUNCTION LOAD
// REPLACE, DELETE or FLUSH publishes another at the same time.
//
// Each I/O thread compiles a library's code into its own Lua state the first
// time it calls one of its functions, keyed by the library's id (unique for
// the server's life, so a stale copy can never be taken for a newer
// version). The generation is bumped by every change; a thread that sees a
// new generation drops the libraries it loaded (only to free them: by the
// ids, correctness does not depend on when it looks).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tmkv::server {

class Server;
struct CommandSpec;

// Redis's function flags, in the order FUNCTION LIST shows them.
enum FunctionFlag : uint32_t {
  kFnNoWrites = 1u << 0,
  kFnAllowOom = 1u << 1,
  kFnAllowStale = 1u << 2,
  kFnNoCluster = 1u << 3,
  kFnAllowCrossSlotKeys = 1u << 4,
};
inline constexpr const char* kFunctionFlagNames[] = {"no-writes", "allow-oom", "allow-stale", "no-cluster",
                                                     "allow-cross-slot-keys"};

struct FunctionInfo {
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;  // FunctionFlag bits
};

struct Library {
  uint64_t id = 0;  // FunctionRegistry::next_id(): never reused
  std::string name;
  std::string engine;  // "LUA"
  std::string code;    // as loaded, shebang included (FUNCTION LIST WITHCODE)
  std::vector<FunctionInfo> functions;  // in registration order
};

class FunctionRegistry {
 public:
  struct Found {
    std::shared_ptr<const Library> library;
    const FunctionInfo* function = nullptr;  // inside *library
  };

  uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed) + 1; }

  // Publishes `lib`: Redis's checks, under the lock, so two LOADs cannot
  // both pass them. Empty on success, else the error reply.
  std::string publish(std::shared_ptr<const Library> lib, bool replace);
  // FUNCTION RESTORE: publishes all of `libs` at once or none of them.
  // REQUIRES: their names, and their functions' names (without regard to
  // case), are distinct among themselves. kFlush drops every library
  // first; kAppend fails on a library name already here; kReplace replaces
  // those, and fails only on a function name another library holds.
  enum class RestorePolicy { kFlush, kAppend, kReplace };
  std::string publish_all(const std::vector<std::shared_ptr<const Library>>& libs, RestorePolicy policy);
  bool exists(const std::string& library) const;
  bool remove(const std::string& library);
  void flush();
  // Function names are matched without regard to case, as Redis's.
  std::optional<Found> find(std::string_view function) const;
  std::vector<std::shared_ptr<const Library>> libraries() const;  // by name
  size_t library_count() const;
  size_t function_count() const;

  // Bumped (release) after every change, read with acquire: a thread that
  // sees a new value drops the copies it loaded (see the top comment).
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  void unindex(const Library& lib);  // REQUIRES mu_

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Library>> libraries_;  // guarded by mu_
  // Lower-cased function name -> its library and index there; guarded by mu_.
  std::unordered_map<std::string, std::pair<const Library*, size_t>> functions_;
  std::atomic<uint64_t> generation_{0};
  // Only uniqueness matters: relaxed.
  std::atomic<uint64_t> next_id_{0};
};

// FCALL over maxmemory: whether the named function may grow memory (it has
// neither no-writes nor allow-oom), which makes the call "denyoom" as in
// Redis 7 (refused when no room can be made). args: FCALL's arguments.
bool fcall_may_grow(const Server& server, const CommandSpec& spec, std::span<const std::string_view> args);

// FUNCTION RESTORE's loading of libraries' code (cmd_functions.cc), also
// used for a snapshot file's libraries: "" or the error, with nothing
// changed. `read_error`: the payload's own error, reported after the
// libraries before it validate.
std::string restore_function_libraries(Server& server, const std::vector<std::string>& codes,
                                       FunctionRegistry::RestorePolicy policy, const std::string& read_error = {});

}  // namespace tmkv::server
