#include "services/listener.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "ledger/limits.h"

namespace ledger {
namespace {

// Sockets among this process's descriptors (/proc/self/fd); -1 if they
// cannot be counted (out of descriptors to read the directory with).
int64_t CountSockets() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int64_t sockets = 0;
  char target[64];
  while (const dirent* entry = readdir(dir)) {
    const ssize_t n = readlinkat(dirfd(dir), entry->d_name, target, sizeof(target) - 1);
    if (n > 0 && std::strncmp(target, "socket:", 7) == 0) ++sockets;
  }
  closedir(dir);
  return sockets;
}

// A listening socket on `ai` (with `port` when nonzero); -1 and `error` set
// on failure.
int ListenOn(const addrinfo& ai, int port, int* error) {
  sockaddr_storage addr{};
  std::memcpy(&addr, ai.ai_addr, ai.ai_addrlen);
  if (port != 0 && addr.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(static_cast<uint16_t>(port));
  } else if (port != 0 && addr.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(static_cast<uint16_t>(port));
  }
  const int fd = socket(ai.ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *error = errno;
    return -1;
  }
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), ai.ai_addrlen) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    *error = errno;
    close(fd);
    return -1;
  }
  return fd;
}

// The port `fd` is bound to; 0 if unknown.
int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return 0;
}

// A gRPC target for the address `fd` listens on; a wildcard address is
// reached over loopback.
std::string LocalTarget(int fd, int port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  char text[INET6_ADDRSTRLEN] = "127.0.0.1";
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
      addr.ss_family == AF_INET6) {
    in6_addr a = reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr;
    if (IN6_IS_ADDR_UNSPECIFIED(&a)) a = in6addr_loopback;
    inet_ntop(AF_INET6, &a, text, sizeof(text));
    return absl::StrCat("ipv6:[", text, "]:", port);
  }
  if (addr.ss_family == AF_INET) {
    in_addr a = reinterpret_cast<sockaddr_in*>(&addr)->sin_addr;
    if (a.s_addr == htonl(INADDR_ANY)) a.s_addr = htonl(INADDR_LOOPBACK);
    inet_ntop(AF_INET, &a, text, sizeof(text));
  }
  return absl::StrCat("ipv4:", text, ":", port);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConnectionListener>> ConnectionListener::Listen(
    absl::string_view address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot listen on ", address, ": not host:port"));
  }
  absl::string_view host = address.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  const std::string host_text(host);
  const std::string port_text = absl::StrCat(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int gai = getaddrinfo(host_text.empty() ? nullptr : host_text.c_str(), port_text.c_str(),
                              &hints, &found);
  if (gai != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, ": ", gai_strerror(gai)));
  }
  std::unique_ptr<ConnectionListener> l(new ConnectionListener());
  int error = 0;
  // The first address picks the port (for port 0); the others share it, or
  // are left out (an IPv6 "localhost" on a host without IPv6).
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ListenOn(*ai, l->port_, &error);
    if (fd < 0) continue;
    if (l->port_ == 0) l->port_ = BoundPort(fd);
    l->fds_.push_back(fd);
  }
  freeaddrinfo(found);
  if (l->fds_.empty() || l->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, ": ", std::strerror(error)));
  }
  l->local_target_ = LocalTarget(l->fds_.front(), l->port_);
  return l;
}

ConnectionListener::~ConnectionListener() { Stop(); }

void ConnectionListener::Start(grpc::experimental::ExternalConnectionAcceptor* acceptor,
                               int max_connections) {
  acceptor_ = acceptor;
  max_connections_ = max_connections;
  spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  thread_ = std::thread([this] { Loop(); });
}

void ConnectionListener::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  for (int fd : fds_) close(fd);
  fds_.clear();
  if (spare_fd_ >= 0) close(spare_fd_);
  spare_fd_ = -1;
}

absl::Time ConnectionListener::last_turned_away() const {
  const int64_t ns = last_turned_away_ns_.load();
  return ns == INT64_MIN ? absl::InfinitePast() : absl::FromUnixNanos(ns);
}

void ConnectionListener::Loop() {
  std::vector<pollfd> polled;
  for (int fd : fds_) polled.push_back({fd, POLLIN, 0});
  while (!stop_) {
    if (poll(polled.data(), polled.size(), kAcceptPollMs) <= 0) continue;
    for (const pollfd& p : polled) {
      if ((p.revents & POLLIN) != 0) AcceptReady(p.fd);
    }
  }
}

void ConnectionListener::AcceptReady(int listener) {
  for (int i = 0; i < 64 && !stop_; ++i) {
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      Hand(listener, fd);
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) OnAcceptError(listener, errno);
    return;
  }
}

void ConnectionListener::Hand(int listener, int fd) {
  if (AtCap()) {
    close(fd);
    ++turned_away_;
    TurnAway(Refusing::kOverCap, 0);
    return;
  }
  if (refusing_ != Refusing::kNo) {
    std::fprintf(stderr, "ledgerd: accepting connections again (%llu closed unserved)\n",
                 static_cast<unsigned long long>(turned_away_));
    refusing_ = Refusing::kNo;
    turned_away_ = 0;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters connection;
  connection.listener_fd = listener;
  connection.fd = fd;
  acceptor_->HandleNewConnection(&connection);
  ++handed_since_count_;
}

bool ConnectionListener::AtCap() {
  if (max_connections_ <= 0) return false;
  const absl::Time now = absl::Now();
  if (now - counted_at_ >= absl::Milliseconds(kConnectionCountIntervalMs)) {
    const int64_t sockets = CountSockets();
    if (sockets >= 0) {
      // Less the listening sockets and the connection in hand.
      counted_open_ = sockets - static_cast<int64_t>(fds_.size()) - 1;
      handed_since_count_ = 0;
      counted_at_ = now;
    }
  }
  // Between counts, every connection handed on counts as still open.
  return counted_open_ + handed_since_count_ >= max_connections_;
}

void ConnectionListener::OnAcceptError(int listener, int error) {
  if (error != EMFILE && error != ENFILE) {
    // ENOBUFS, ENOMEM, ...: wait a little and try again.
    TurnAway(Refusing::kOutOfFds, error);
    poll(nullptr, 0, kAcceptPollMs);
    return;
  }
  TurnAway(Refusing::kOutOfFds, error);
  // The spare descriptor makes room for one connection at a time: accepted
  // and closed at once, so that its client is told rather than left waiting.
  if (spare_fd_ >= 0) close(spare_fd_);
  spare_fd_ = -1;
  for (int i = 0; i < SOMAXCONN && !stop_; ++i) {
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) break;
    close(fd);
    ++turned_away_;
  }
  spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  poll(nullptr, 0, kAcceptBackoffMs);
}

void ConnectionListener::TurnAway(Refusing why, int error) {
  last_turned_away_ns_ = absl::ToUnixNanos(absl::Now());
  if (why == refusing_) return;
  refusing_ = why;
  if (why == Refusing::kOverCap) {
    std::fprintf(stderr,
                 "ledgerd: %d connections open (--max_connections): new ones are closed at once "
                 "until some close (docs/OPERATIONS.md, \"Connections\")\n",
                 max_connections_);
  } else {
    std::fprintf(stderr,
                 "ledgerd: accepting a connection failed (%s): new ones are closed at once until "
                 "descriptors are free again (docs/OPERATIONS.md, \"Connections\")\n",
                 std::strerror(error));
  }
}

}  // namespace ledger
