#include "loadgen/http_get.h"

#include <asio.hpp>
#include <functional>

namespace tmkv::loadgen {

bool parse_http_url(const std::string& text, Url& out, std::string& error) {
  out = Url{};
  const std::string scheme = "http://";
  if (text.compare(0, scheme.size(), scheme) != 0) {
    error = "'" + text + "' is not an http:// URL";
    return false;
  }
  std::string rest = text.substr(scheme.size());
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.port = authority.substr(colon + 1);
    authority.resize(colon);
  }
  out.host = authority;
  if (out.host.empty() || out.port.empty()) {
    error = "'" + text + "' has no host or port";
    return false;
  }
  return true;
}

bool http_get(const Url& url, std::chrono::milliseconds timeout, std::string& body, std::string& error) {
  asio::io_context io(1);
  asio::ip::tcp::resolver resolver(io);
  asio::ip::tcp::socket socket(io);
  const std::string request = "GET " + url.path + " HTTP/1.0\r\nHost: " + url.host + "\r\nAccept: text/plain\r\n\r\n";
  std::string response;
  char chunk[16384];
  bool done = false;

  std::function<void()> read_some = [&] {
    socket.async_read_some(asio::buffer(chunk), [&](const asio::error_code& ec, size_t n) {
      response.append(chunk, n);
      if (ec == asio::error::eof) {
        done = true;
      } else if (ec) {
        error = "reading the response: " + ec.message();
        done = true;
      } else {
        read_some();
      }
    });
  };
  resolver.async_resolve(url.host, url.port, [&](const asio::error_code& ec, asio::ip::tcp::resolver::results_type rs) {
    if (ec) {
      error = "cannot resolve " + url.host + ": " + ec.message();
      done = true;
      return;
    }
    asio::async_connect(socket, rs, [&](const asio::error_code& cec, const asio::ip::tcp::endpoint&) {
      if (cec) {
        error = "cannot connect to " + url.host + ":" + url.port + ": " + cec.message();
        done = true;
        return;
      }
      asio::async_write(socket, asio::buffer(request), [&](const asio::error_code& wec, size_t) {
        if (wec) {
          error = "sending the request: " + wec.message();
          done = true;
          return;
        }
        read_some();
      });
    });
  });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done)
    if (io.run_one_until(deadline) == 0) {
      error = "no complete answer within " + std::to_string(timeout.count()) + " ms";
      break;
    }
  asio::error_code ignored;
  socket.close(ignored);
  resolver.cancel();
  io.restart();
  io.run();  // the cancelled handlers
  if (!error.empty()) return false;
  const auto header_end = response.find("\r\n\r\n");
  const auto status_end = response.find("\r\n");
  const std::string status = response.substr(0, status_end);
  if (header_end == std::string::npos || status.find(" 200") == std::string::npos) {
    error = "unexpected response '" + status + "'";
    return false;
  }
  body = response.substr(header_end + 4);
  return true;
}

}  // namespace tmkv::loadgen
