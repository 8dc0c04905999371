// EdgeReadSocket (server/edge_read_socket.h) over a real loopback TCP
// connection: after a read that left nothing queued the next read waits for
// epoll without a recv() (counted by interposing recv() and recvmsg() for
// this executable), bytes or a FIN that arrive in between are not lost, a
// read that left bytes queued tries again at once, and cancel, end of file
// and a destroyed io_context behave as Asio's reads.

#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <gtest/gtest.h>

#include "server/edge_read_socket.h"

namespace {

// The server socket's descriptor, and how many recv()/recvmsg() calls were
// made on it.
// Written and read by the test's one thread only (asio runs inside it);
// atomics anyway because other libraries' threads may call recv() too.
std::atomic<int> g_watched_fd{-1};
std::atomic<int> g_recv_calls{0};

}  // namespace

// EdgeReadSocket reads with ::recvmsg() and Asio's own reads with ::recv()
// (socket_ops::recv1); both calls are compiled into this executable, so
// these definitions are the ones they reach. Each counts and forwards to the
// next definition in the lookup order (the C library's, or a sanitizer's
// interceptor).
extern "C" ssize_t recv(int fd, void* buf, size_t len, int flags) {
  using Recv = ssize_t (*)(int, void*, size_t, int);
  static const Recv next = reinterpret_cast<Recv>(dlsym(RTLD_NEXT, "recv"));
  if (fd == g_watched_fd.load(std::memory_order_relaxed)) g_recv_calls.fetch_add(1, std::memory_order_relaxed);
  return next(fd, buf, len, flags);
}

extern "C" ssize_t recvmsg(int fd, struct msghdr* msg, int flags) {
  using RecvMsg = ssize_t (*)(int, struct msghdr*, int);
  static const RecvMsg next = reinterpret_cast<RecvMsg>(dlsym(RTLD_NEXT, "recvmsg"));
  if (fd == g_watched_fd.load(std::memory_order_relaxed)) g_recv_calls.fetch_add(1, std::memory_order_relaxed);
  return next(fd, msg, flags);
}

namespace tmkv::server {
namespace {

using namespace std::chrono_literals;

struct Reader : std::enable_shared_from_this<Reader> {
  explicit Reader(asio::ip::tcp::socket s) : socket(std::move(s)) {}
  EdgeReadSocket socket;
  char buf[4096];
  std::error_code ec;
  size_t n = 0;
  int completions = 0;
  void on_read(const std::error_code& e, size_t k) {
    ec = e;
    n = k;
    ++completions;
  }
  void read(size_t room = sizeof(buf)) { socket.async_read<&Reader::on_read>(asio::buffer(buf, room), shared_from_this()); }
  std::string_view got() const { return {buf, n}; }
};

class EdgeReadSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    asio::ip::tcp::acceptor acceptor(*io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client.connect(acceptor.local_endpoint());
    asio::ip::tcp::socket accepted(*io);
    acceptor.accept(accepted);
    accepted.non_blocking(true);  // as Connection::start
    g_watched_fd.store(accepted.native_handle(), std::memory_order_relaxed);
    g_recv_calls.store(0, std::memory_order_relaxed);
    reader = std::make_shared<Reader>(std::move(accepted));
  }
  void TearDown() override { g_watched_fd.store(-1, std::memory_order_relaxed); }

  // Runs the io_context until the reader has completed `count` reads in all.
  void run_until(int count) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (reader->completions < count && std::chrono::steady_clock::now() < deadline) {
      io->run_one_for(100ms);
      if (io->stopped()) io->restart();
    }
    ASSERT_EQ(reader->completions, count);
  }
  // Runs what is ready now and returns without waiting for epoll (a read
  // that has to wait stays pending); leaves the context ready to run again.
  void poll_ready() {
    io->poll();
    if (io->stopped()) io->restart();
  }
  void send(std::string_view bytes) {
    asio::write(client, asio::buffer(bytes));
    std::this_thread::sleep_for(20ms);  // loopback delivers it by then
  }
  static int recvs() { return g_recv_calls.load(std::memory_order_relaxed); }

  // The client blocks, on a context of its own: the last test destroys `io`.
  asio::io_context client_io;
  asio::ip::tcp::socket client{client_io};
  std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>(1);
  std::shared_ptr<Reader> reader;
};

TEST_F(EdgeReadSocketTest, AfterAShortReadTheNextReadWaitsWithoutRecv) {
  if (!EdgeReadSocket::kEdgeReads) GTEST_SKIP() << "this Asio version reads with async_read_some";
  send("hello");
  reader->read();
  run_until(1);
  EXPECT_EQ(reader->got(), "hello");
  EXPECT_EQ(recvs(), 1);
  // Nothing to read: Asio's own read would try recv() now and get EAGAIN.
  reader->read();
  poll_ready();
  EXPECT_EQ(reader->completions, 1);
  EXPECT_EQ(recvs(), 1);
  send("abc");
  run_until(2);
  EXPECT_FALSE(reader->ec);
  EXPECT_EQ(reader->got(), "abc");
  EXPECT_EQ(recvs(), 2);
}

TEST_F(EdgeReadSocketTest, BytesThatArriveBeforeTheNextReadStartsAreRead) {
  send("a");
  reader->read();
  run_until(1);
  ASSERT_EQ(reader->got(), "a");
  // These arrive while no read is pending: epoll's event for them is what
  // the next read, which skips the immediate recv(), waits for.
  send("bc");
  reader->read();
  run_until(2);
  EXPECT_FALSE(reader->ec);
  EXPECT_EQ(reader->got(), "bc");
}

TEST_F(EdgeReadSocketTest, AnEndOfFileThatArrivedWithTheLastBytesIsSeen) {
  // The peer's last request and its FIN arrive while a read waits, both
  // before the reactor looks, so epoll reports them as one event: the read
  // that takes the bytes must not leave the FIN waiting for an event that
  // will never come.
  reader->read();
  poll_ready();  // nothing yet: the read waits in the reactor
  asio::write(client, asio::buffer(std::string_view("PING\r\n")));
  client.shutdown(asio::ip::tcp::socket::shutdown_send);
  std::this_thread::sleep_for(20ms);
  run_until(1);
  EXPECT_EQ(reader->got(), "PING\r\n");
  reader->read();
  run_until(2);
  EXPECT_EQ(reader->ec, asio::error::eof);
}

TEST_F(EdgeReadSocketTest, AReadThatFillsItsBufferTriesTheNextAtOnce) {
  send(std::string(6000, 'x'));
  reader->read();
  run_until(1);
  ASSERT_EQ(reader->n, sizeof(reader->buf));
  reader->read();
  poll_ready();  // the rest is already here: no epoll wait needed
  ASSERT_EQ(reader->completions, 2);
  EXPECT_EQ(reader->n, 6000 - sizeof(reader->buf));
  if (EdgeReadSocket::kEdgeReads) {
    EXPECT_EQ(recvs(), 2);
  }
}

TEST_F(EdgeReadSocketTest, AReadThatTookExactlyWhatWasQueuedAlsoWaits) {
  if (!EdgeReadSocket::kEdgeReads) GTEST_SKIP() << "this Asio version reads with async_read_some";
  send(std::string(1000, 'y'));
  reader->read(1000);  // the buffer fills, and nothing is left behind
  run_until(1);
  ASSERT_EQ(reader->n, 1000u);
  reader->read();
  poll_ready();
  EXPECT_EQ(reader->completions, 1);
  EXPECT_EQ(recvs(), 1);
  send("z");
  run_until(2);
  EXPECT_EQ(reader->got(), "z");
}

TEST_F(EdgeReadSocketTest, ReleasingTheReadStateBetweenReads) {
  // As a parking connection does: its next read starts afresh.
  reader->socket.release_read_state();  // nothing to free yet
  send("one");
  reader->read();
  run_until(1);
  reader->socket.release_read_state();
  send("two");
  reader->read();
  run_until(2);
  EXPECT_EQ(reader->got(), "two");
  reader->read();
  poll_ready();
  reader->socket.release_read_state();  // pending: kept
  send("three");
  run_until(3);
  EXPECT_EQ(reader->got(), "three");
}

TEST_F(EdgeReadSocketTest, CancelThenEndOfFile) {
  reader->read();
  poll_ready();
  reader->socket.cancel();
  run_until(1);
  EXPECT_EQ(reader->ec, asio::error::operation_aborted);
  send("last");
  client.close();
  reader->read();
  run_until(2);
  EXPECT_EQ(reader->got(), "last");
  reader->read();
  run_until(3);
  EXPECT_EQ(reader->ec, asio::error::eof);
  EXPECT_EQ(reader->n, 0u);
}

TEST_F(EdgeReadSocketTest, ClosingTheSocketAbortsThePendingRead) {
  reader->read();
  poll_ready();
  reader->socket.close();
  run_until(1);
  EXPECT_EQ(reader->ec, asio::error::operation_aborted);
  reader->read();  // on a closed socket: fails at once
  run_until(2);
  EXPECT_TRUE(reader->ec);
}

TEST_F(EdgeReadSocketTest, DestroyingTheContextReleasesThePendingReadsOwner) {
  reader->read();
  poll_ready();
  std::weak_ptr<Reader> weak = reader;
  reader.reset();
  ASSERT_FALSE(weak.expired());  // the pending read holds it
  client.close();
  io.reset();  // the read is destroyed, not completed, and lets go of its owner
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace tmkv::server
