// The metrics port: Prometheus scrapes `GET /metrics` here (ledgerd
// --metrics_listen). HTTP is GNU libmicrohttpd's; this file only answers.
//
// Hostile clients: it listens on a loopback address only (ledgerd refuses
// another), answers GET and HEAD of /metrics alone (405 for another method,
// 404 for another path, no request body read), and bounds what a flood can
// take: kMetricsMaxConnections at once (kMetricsMaxPerAddress from one
// address), each with a small memory budget and a short idle timeout, all
// on one thread of libmicrohttpd's own.
//
// Thread-safety: Start and the destructor from one thread; `render` is
// called on libmicrohttpd's thread.
#ifndef SERVICES_METRICS_HTTP_H_
#define SERVICES_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

struct MHD_Daemon;

namespace ledger {

inline constexpr unsigned kMetricsMaxConnections = 16;
inline constexpr unsigned kMetricsMaxPerAddress = 8;
inline constexpr unsigned kMetricsIdleTimeoutSeconds = 10;
inline constexpr size_t kMetricsConnectionMemory = size_t{32} * 1024;

class MetricsHttpServer {
 public:
  // Listens on `listen` ("127.0.0.1:9464", "[::1]:0", "localhost:0"; port
  // 0 picks a free one) and answers each scrape with `render()`.
  // INVALID_ARGUMENT for an address that is not loopback or not host:port,
  // UNAVAILABLE when it cannot bind.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& listen, std::function<std::string()> render);
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  int port() const { return port_; }
  const std::function<std::string()>& render() const { return render_; }

 private:
  MetricsHttpServer() = default;
  std::function<std::string()> render_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

}  // namespace ledger

#endif  // SERVICES_METRICS_HTTP_H_
