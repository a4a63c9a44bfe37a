// ConnectionListener: ledgerd's own listening sockets and the thread that
// accepts on them, handing each connection to gRPC (an external connection
// acceptor). gRPC 1.51's own listener stops accepting for good after one
// accept() fails with EMFILE; this one never stops: out of descriptors, it
// frees a spare one, accepts and at once closes the waiting connections (the
// client sees a clean close, not a hang), takes the spare back and tries
// again a little later. Beyond `max_connections` open at once (counted from
// /proc/self/fd), a new connection is closed as soon as it is accepted.
//
// Thread-safety: Listen, Start and Stop from one thread; last_turned_away
// from any.
#ifndef SERVICES_LISTENER_H_
#define SERVICES_LISTENER_H_

#include <grpcpp/server_builder.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ledger {

class ConnectionListener {
 public:
  // Binds and listens on `address`, "host:port": an IPv4 or IPv6 address
  // ("[::1]:0"), or a name (every address of "localhost", on one port).
  // Port 0 picks a free one (see port).
  static absl::StatusOr<std::unique_ptr<ConnectionListener>> Listen(absl::string_view address);
  ~ConnectionListener();
  ConnectionListener(const ConnectionListener&) = delete;
  ConnectionListener& operator=(const ConnectionListener&) = delete;

  int port() const { return port_; }
  // A gRPC target that reaches the first listening socket from this host
  // ("ipv4:127.0.0.1:PORT" for a socket on every address).
  const std::string& local_target() const { return local_target_; }

  // Starts accepting: every connection goes to `acceptor` (not owned; must
  // outlive Stop). `max_connections` 0 = no cap.
  void Start(grpc::experimental::ExternalConnectionAcceptor* acceptor, int max_connections);
  // Ends the accept thread (within kAcceptPollMs) and closes the sockets.
  void Stop();

  // When a connection was last closed unserved (out of descriptors or over
  // the cap); absl::InfinitePast() if never.
  absl::Time last_turned_away() const;

 private:
  enum class Refusing { kNo, kOutOfFds, kOverCap };
  ConnectionListener() = default;
  void Loop();
  // Accepts what waits on `listener`, a batch at most.
  void AcceptReady(int listener);
  void Hand(int listener, int fd);
  void OnAcceptError(int listener, int error);
  // Whether the connections open (counted now and then) reach the cap.
  bool AtCap();
  // Logs the first connection turned away in a burst; notes the time.
  void TurnAway(Refusing why, int error);

  std::vector<int> fds_;
  int port_ = 0;
  std::string local_target_;
  int spare_fd_ = -1;
  grpc::experimental::ExternalConnectionAcceptor* acceptor_ = nullptr;
  int max_connections_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> last_turned_away_ns_{INT64_MIN};
  // The accept thread's own.
  Refusing refusing_ = Refusing::kNo;
  uint64_t turned_away_ = 0;
  int64_t counted_open_ = -1;
  int64_t handed_since_count_ = 0;
  absl::Time counted_at_ = absl::InfinitePast();
};

}  // namespace ledger

#endif  // SERVICES_LISTENER_H_
