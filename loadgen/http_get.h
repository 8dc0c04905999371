// A plain HTTP/1.0 GET over Asio, enough to scrape a Prometheus endpoint:
// one request, the response read to EOF, a deadline on the whole exchange.
#pragma once

#include <chrono>
#include <string>

namespace tmkv::loadgen {

struct Url {
  std::string host;
  std::string port = "80";
  std::string path = "/";
};

// "http://host:port/path" -> Url; false (and `error`) if it is not one.
bool parse_http_url(const std::string& text, Url& out, std::string& error);

// The body of a 200 response; false (and `error`) otherwise.
bool http_get(const Url& url, std::chrono::milliseconds timeout, std::string& body, std::string& error);

}  // namespace tmkv::loadgen
