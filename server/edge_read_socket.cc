#include "server/edge_read_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace tmkv::server {

#if TMKV_EDGE_READS

EdgeReadSocket::EdgeReadSocket(asio::ip::tcp::socket&& socket)
    : asio::ip::tcp::socket(std::move(socket)),
      // The io_context's one reactor: the same service its sockets use.
      reactor_(&asio::use_service<asio::detail::reactor>(get_executor().context())) {
  // Ask the kernel to say, with every read, what it still holds (Linux
  // 4.18+). Where it cannot, reads carry no count and every one is
  // followed by an immediate recv(), as Asio's are.
  const int on = 1;
  if (is_open()) ::setsockopt(native_handle(), IPPROTO_TCP, TCP_INQ, &on, sizeof(on));
}

EdgeReadSocket::ReadOp::ReadOp() : reactor_op(std::error_code(), &ReadOp::perform, &ReadOp::complete) {}

void EdgeReadSocket::release_read_state() {
  if (op_ && !op_->owner) op_.reset();  // an op holds its owner exactly while pending
}

void EdgeReadSocket::start_read(asio::mutable_buffer into, std::shared_ptr<void> owner, Deliver deliver) {
  auto& impl = impl_.get_implementation();
  if (!op_) op_ = std::make_unique<ReadOp>();
  ReadOp& op = *op_;
  op.ec_ = std::error_code();
  op.bytes_transferred_ = 0;
  op.fd = impl.socket_;
  op.data = into.data();
  op.size = into.size();
  op.owner = std::move(owner);
  op.deliver = deliver;
  // As Asio's own reads: the descriptor must not block (the connection set
  // it already; a socket the user left blocking is switched internally).
  if ((impl.state_ & asio::detail::socket_ops::non_blocking) == 0 &&
      !asio::detail::socket_ops::set_internal_non_blocking(impl.socket_, impl.state_, true, op.ec_)) {
    reactor_->post_immediate_completion(&op, false);
    return;
  }
  // A closed socket has no reactor data: start_op completes the op at once
  // with bad_descriptor.
  reactor_->start_op(asio::detail::reactor::read_op, impl.socket_, impl.reactor_data_, &op,
                     /*is_continuation=*/false, /*allow_speculative=*/true);
}

asio::detail::reactor_op::status EdgeReadSocket::ReadOp::perform(asio::detail::reactor_op* base) {
  auto* op = static_cast<ReadOp*>(base);
  iovec into{op->data, op->size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &into;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  for (;;) {
    msg.msg_controllen = sizeof(control);  // the kernel writes back what it used
    const ssize_t got = ::recvmsg(op->fd, &msg, 0);
    if (got > 0) {
      op->ec_ = std::error_code();
      op->bytes_transferred_ = static_cast<size_t>(got);
      // TCP_CM_INQ: the bytes still queued after this read, or 1 once the
      // peer's FIN has arrived (the kernel's tcp_inq_hint, so that a reader
      // does not wait for an event the FIN already spent). Zero: nothing
      // and no FIN is left, so the next read may wait for epoll's next edge.
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_CM_INQ && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
          int queued;
          std::memcpy(&queued, CMSG_DATA(c), sizeof(queued));
          if (queued == 0) return done_and_exhausted;
        }
      }
      return done;  // more is queued, or the kernel did not say: try again at once
    }
    if (got == 0) {  // end of file, as Asio reports it (and, as Asio, exhausted)
      op->ec_ = asio::error::eof;
      op->bytes_transferred_ = 0;
      return done_and_exhausted;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done;  // wait for the next event
    op->ec_ = std::error_code(errno, asio::error::get_system_category());
    op->bytes_transferred_ = 0;
    return done;
  }
}

void EdgeReadSocket::ReadOp::complete(void* scheduler, asio::detail::operation* base, const std::error_code&,
                                      size_t) {
  auto* op = static_cast<ReadOp*>(base);
  // The op belongs to the socket, inside the owner: take what is needed and
  // the owner's reference first. The callback may start the next read on
  // this same op or free it (release_read_state), and dropping `owner` may
  // destroy it; nothing here touches `op` afterwards.
  std::shared_ptr<void> owner = std::move(op->owner);
  const std::error_code ec = op->ec_;
  const size_t n = op->bytes_transferred_;
  const Deliver deliver = op->deliver;
  // No scheduler: the io_context is being destroyed with the read pending;
  // release the owner without calling it, as Asio destroys handlers then.
  if (scheduler == nullptr) return;
  deliver(owner.get(), ec, n);
}

#else

EdgeReadSocket::EdgeReadSocket(asio::ip::tcp::socket&& socket) : asio::ip::tcp::socket(std::move(socket)) {}

void EdgeReadSocket::release_read_state() {}

#endif

}  // namespace tmkv::server
