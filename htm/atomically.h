// htm::atomically(fn): stm::atomically with the configured path in front of
// it (tm_mode.h). Same contract: nesting flattens, tx.cancel(result)
// returns result, exceptions roll back and propagate, bounded retries.
// A cancel or exception inside a hardware attempt aborts it and reruns the
// transaction in software, where it takes effect.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "htm/hybrid.h"
#include "htm/tm_mode.h"
#include "stm/atomically.h"

namespace tmkv::htm {

template <class Fn>
auto atomically(Fn&& fn, stm::TxKind kind = stm::TxKind::kReadWrite) -> std::invoke_result_t<Fn&, stm::Tx&> {
  using R = std::invoke_result_t<Fn&, stm::Tx&>;
  stm::Tx& tx = stm::Tx::current();
  if (tx.active()) return fn(tx);  // flattened nesting
  switch (detail::g_path.load(std::memory_order_relaxed)) {
    case TmPath::kSoftware:
      break;
    case TmPath::kGlobalLock: {
      struct Reset {
        stm::Tx& tx;
        ~Reset() { tx.set_global_lock_mode(false); }
      } reset{tx};
      tx.set_global_lock_mode(true);
      return stm::atomically(fn, kind);
    }
    case TmPath::kHardware:
    case TmPath::kEmulatedHardware: {
      if (kind == stm::TxKind::kIrrevocable) break;  // a hardware attempt can abort: software, holding the gate
      tx.start_run_telemetry();  // latency counts the hardware attempts too
      thread_local detail::SiteState site;  // one per call site and thread
      using Slot = std::conditional_t<std::is_void_v<R>, bool, std::optional<R>>;
      struct Ctx {
        std::remove_reference_t<Fn>* fn;
        Slot result;
      } ctx{&fn, {}};
      auto body = [](void* p, stm::Tx& t) {
        auto* c = static_cast<Ctx*>(p);
        if constexpr (std::is_void_v<R>) {
          (*c->fn)(t);
          c->result = true;
        } else {
          c->result.emplace((*c->fn)(t));
        }
      };
      if (detail::run_hardware(tx, body, &ctx, site)) {
        if constexpr (std::is_void_v<R>) {
          return;
        } else {
          return std::move(*ctx.result);
        }
      }
      break;
    }
  }
  return stm::atomically(fn, kind);
}

template <class Fn>
auto atomically_read_only(Fn&& fn) {
  // Qualified: stm::TxKind would also pull stm::atomically in by ADL.
  return htm::atomically(std::forward<Fn>(fn), stm::TxKind::kReadOnly);
}

}  // namespace tmkv::htm
