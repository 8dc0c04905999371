// EdgeReadSocket: a client socket whose reads, after a read that left the
// kernel's receive queue empty, wait for epoll's next event instead of first
// trying recv() again, as Redis's event loop does.
//
// Why: Asio 1.22's epoll reactor starts every async_read_some with an
// immediate ("speculative") recv(), and keeps doing so for a socket until a
// read returns end of file. A request/reply client (redis-benchmark -P 1, and
// most applications) has not sent its next request yet when the server asks
// for it, so each request cost a recv() failing with EAGAIN before the recv()
// that read it: about 3.7 system calls per request against Redis's 2.7
// (docs/BENCHMARKS.md, "System calls per -P 1 request").
//
// How it knows: the socket asks the kernel for TCP_INQ (Linux 4.18+), so
// every read also returns how many bytes are still queued, or 1 once the
// peer's FIN has arrived (tcp_inq_hint). Zero means the queue was empty at
// that instant. Asio registers every socket with epoll edge-triggered
// (EPOLLET) once, so any byte or FIN that arrives afterwards raises a new
// readiness event, and a read that waits for it misses nothing. The reactor
// keeps a per-socket try-speculatively flag, set by every event; such a
// read reports itself exhausted (reactor_op::done_and_exhausted), which
// clears the flag, as Asio does itself after an end of file. A plain short
// read would not do: when the last bytes and the FIN arrive together, epoll
// reports them as one event, the read takes the bytes and leaves the FIN,
// and no further event would ever come. Without the count (an older kernel)
// every read is followed by an immediate recv(), as with Asio's reads. A
// spurious event (bytes that arrived and were read before epoll reported
// them) costs one failing recv(), as every request did before.
//
// It is built from Asio's own reactor operation (asio::detail, not public
// API: reactor_op, the epoll reactor's start_op and the socket's
// implementation), so it is compiled only for the Asio versions whose
// internals we read: 1.22 (Debian 12) with the epoll reactor. Elsewhere
// async_read is Asio's async_read_some, and kEdgeReads is false.
#pragma once

#include <asio.hpp>

#include <cstddef>
#include <memory>
#include <system_error>

// -DTMKV_EDGE_READS=0 builds the fallback anywhere (for checking it compiles
// and behaves); nothing can turn it on where the internals differ.
#if ASIO_VERSION / 100 == 1022 && defined(ASIO_HAS_EPOLL) && !defined(ASIO_HAS_IO_URING_AS_DEFAULT) && \
    !defined(ASIO_HAS_IOCP) && !defined(ASIO_WINDOWS_RUNTIME) && !(defined(TMKV_EDGE_READS) && TMKV_EDGE_READS == 0)
#undef TMKV_EDGE_READS
#define TMKV_EDGE_READS 1
#else
#undef TMKV_EDGE_READS
#define TMKV_EDGE_READS 0
#endif

namespace tmkv::server {

class EdgeReadSocket : public asio::ip::tcp::socket {
 public:
  static constexpr bool kEdgeReads = TMKV_EDGE_READS;

  explicit EdgeReadSocket(asio::ip::tcp::socket&& socket);
  EdgeReadSocket(const EdgeReadSocket&) = delete;
  EdgeReadSocket& operator=(const EdgeReadSocket&) = delete;

  // One read into `into` (not empty): then (owner->*Done)(ec, n) runs on
  // the socket's io_context thread, with asio::error::operation_aborted if
  // cancel() or close() came first. At most one read may be pending; until
  // it completes it holds `owner` (the object that owns this socket) alive.
  template <auto Done, class Owner>
  void async_read(asio::mutable_buffer into, std::shared_ptr<Owner> owner) {
#if TMKV_EDGE_READS
    start_read(into, std::move(owner), [](void* target, const std::error_code& ec, size_t n) {
      (static_cast<Owner*>(target)->*Done)(ec, n);
    });
#else
    async_read_some(into, [owner = std::move(owner)](const std::error_code& ec, size_t n) {
      (owner.get()->*Done)(ec, n);
    });
#endif
  }

  // Frees the read's state while no read is pending (a parked connection
  // keeps none); the next async_read makes it again. No-op while pending.
  void release_read_state();

 private:
#if TMKV_EDGE_READS
  using Deliver = void (*)(void* target, const std::error_code& ec, size_t n);

  // The pending read, as the reactor sees it. Made by the first read and
  // reused by every later one, so a read allocates nothing; `owner` keeps
  // the socket, and so the op, alive while it is pending.
  class ReadOp : public asio::detail::reactor_op {
   public:
    ReadOp();
    // Fields below: written by start_read on the socket's thread before the
    // op is handed to the reactor, read by perform/complete afterwards on
    // that same thread (the reactor's descriptor mutex orders them too).
    asio::detail::socket_type fd = asio::detail::invalid_socket;
    void* data = nullptr;
    size_t size = 0;
    std::shared_ptr<void> owner;  // set while pending
    Deliver deliver = nullptr;

   private:
    static status perform(asio::detail::reactor_op* base);
    static void complete(void* scheduler, asio::detail::operation* base, const std::error_code& ignored_ec,
                         size_t ignored_bytes);
  };

  void start_read(asio::mutable_buffer into, std::shared_ptr<void> owner, Deliver deliver);

  asio::detail::reactor* reactor_;
  std::unique_ptr<ReadOp> op_;  // null until the first read, and after release_read_state
#endif
};

}  // namespace tmkv::server
