#include "services/metrics_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/server.h"

namespace ledger {
namespace {

constexpr const char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

MHD_Result Answer(MHD_Connection* connection, unsigned status, const std::string& body,
                  const char* content_type) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, "Content-Type", content_type);
  MHD_add_response_header(response, "Cache-Control", "no-store");
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
    MHD_add_response_header(response, "Allow", "GET, HEAD");
  const MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return queued;
}

MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url, const char* method,
                     const char* /*version*/, const char* /*upload_data*/, size_t* upload_data_size,
                     void** /*con_cls*/) {
  const auto* server = static_cast<const MetricsHttpServer*>(cls);
  // A body (which GET has none of) is dropped unread.
  *upload_data_size = 0;
  const absl::string_view m(method);
  if (m != "GET" && m != "HEAD") {
    return Answer(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics is served\n",
                  "text/plain; charset=utf-8");
  }
  if (absl::string_view(url) != "/metrics") {
    return Answer(connection, MHD_HTTP_NOT_FOUND, "only GET /metrics is served\n",
                  "text/plain; charset=utf-8");
  }
  return Answer(connection, MHD_HTTP_OK, server->render()(), kContentType);
}

// "host:port" -> a loopback socket address; IPv6 when the host is one.
absl::StatusOr<sockaddr_storage> LoopbackAddress(const std::string& listen, bool* ipv6) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_listen \"", listen, "\" is not host:port"));
  }
  if (!IsLoopbackAddress(listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--metrics_listen ", listen,
        " is not a loopback address: the metrics port has no TLS and no tokens, so it listens on "
        "127.0.0.1 or ::1 only (scrape it from this machine, or through a tunnel)"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  sockaddr_storage storage{};
  *ipv6 = host == "::1";
  if (*ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    a->sin6_addr = in6addr_loopback;
    return storage;
  }
  auto* a = reinterpret_cast<sockaddr_in*>(&storage);
  a->sin_family = AF_INET;
  a->sin_port = htons(static_cast<uint16_t>(port));
  if (host == "localhost") host = "127.0.0.1";
  if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("--metrics_listen host \"", host, "\""));
  }
  return storage;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& listen, std::function<std::string()> render) {
  bool ipv6 = false;
  absl::StatusOr<sockaddr_storage> address = LoopbackAddress(listen, &ipv6);
  if (!address.ok()) return address.status();
  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer());
  server->render_ = std::move(render);
  // epoll, not select: ledgerd holds thousands of descriptors, beyond select's.
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
  if (ipv6) flags |= MHD_USE_IPv6;
  server->daemon_ = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &OnRequest, server.get(), MHD_OPTION_SOCK_ADDR, &*address,
      MHD_OPTION_CONNECTION_LIMIT, kMetricsMaxConnections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      kMetricsMaxPerAddress, MHD_OPTION_CONNECTION_TIMEOUT, kMetricsIdleTimeoutSeconds,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, kMetricsConnectionMemory, MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for metrics on ", listen, ": ", std::strerror(errno)));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  server->port_ = info != nullptr ? info->port : 0;
  return server;
}

MetricsHttpServer::~MetricsHttpServer() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

}  // namespace ledger
