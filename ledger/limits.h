// Every limit of the ledger and its server, in one place. Each is checked
// where input enters (a request over a limit is refused with a Status naming
// the field and the limit) and documented in docs/ARCHITECTURE.md. Units
// are last in names or said in the comment. The static_asserts at the end
// hold the limits to each other, so changing one alone cannot break another.
#ifndef LEDGER_LIMITS_H_
#define LEDGER_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <limits>

namespace ledger {

// ------------------------------------------------------------------ text

// Ids (event, beneficiary, branch): 1..64 characters of a-z 0-9 . _ -
inline constexpr size_t kMaxIdLength = 64;
// Names (display names, union and branch names, payee, method, reference
// ...), bytes of UTF-8. The actor recorded with an event is cut to it.
inline constexpr size_t kMaxNameLength = 200;
// Longer free text (purpose, reason, memo), bytes of UTF-8.
inline constexpr size_t kMaxMemoLength = 1000;

// ------------------------------------------------------------------ money and dates

// One event amount: 10^15 minor units (10 trillion GBP). Keeps every
// cumulative total far from int64 overflow, which is still checked.
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;
// Declared branch members.
inline constexpr int64_t kMaxMembers = 10'000'000;
// Fee periods one payment may cover.
inline constexpr int32_t kMaxFeePeriodsPerPayment = 120;
// Dates accepted: years 1900..2999.
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2999;
// Fee periods a branch statement walks through at most, counting the
// periods due (a loop bound; more than the monthly periods of every year
// from kMinYear to kMaxYear).
inline constexpr int64_t kMaxFeePeriodsWalked = 100'000;

// ------------------------------------------------------------------ the writer

// Events in one Append.
inline constexpr size_t kMaxEventsPerAppend = 1000;
// Append requests waiting for the writer (the default of
// EventLogOptions::max_queued_appends and of ledgerd --max_queued_appends);
// beyond it RESOURCE_EXHAUSTED.
inline constexpr size_t kDefaultMaxQueuedAppends = 4096;
// Appends per member (ledgerd --append_events_per_second and
// --append_burst_events; ServerOptions): a token bucket of events that
// refills at the rate and holds the burst; beyond it RESOURCE_EXHAUSTED
// (RATE_LIMITED) with a retry-after. The burst takes the largest Append.
inline constexpr int kDefaultAppendEventsPerSecond = 100;
inline constexpr int kDefaultAppendBurstEvents = 2000;
// Events committed in one group commit (one WriteBatch, one sync).
inline constexpr size_t kMaxEventsPerGroupCommit = 10'000;

// ------------------------------------------------------------------ reads and audits

// Events one ReadEvents page returns, when the request asks for none
// (limit 0) and at most.
inline constexpr uint32_t kDefaultReadEventsPage = 100;
inline constexpr uint32_t kMaxReadEventsPage = 1000;
// Funds or branches one ListBeneficiaries / ListBranches page returns when
// the request asks for none (page_size 0), and at most.
inline constexpr uint32_t kDefaultListPage = 100;
inline constexpr uint32_t kMaxListPage = 1000;
// Bytes a page of a list, or a part of a WatchBalances snapshot, grows to at
// most (it ends before the item that would pass it; one item alone may).
// Far below gRPC's default 4 MiB a client accepts.
inline constexpr size_t kMaxReplyBytes = 1 << 20;
// Funds and branches one WatchBalances part carries at most.
inline constexpr size_t kMaxWatchBalancesPartItems = 1000;
// Positions per bucket of the position-keyed delta rows (point in time).
inline constexpr uint64_t kPositionBucketSize = 1024;
// Mismatches a rebuild reports.
inline constexpr size_t kMaxReportedMismatches = 20;
// Longest backup directory path accepted, bytes (PATH_MAX on Linux).
inline constexpr size_t kMaxPathLength = 4096;
// Longest backup name a client may give (CreateBackupRequest.name, one path
// component under ledgerd --backup_root), characters.
inline constexpr size_t kMaxBackupNameLength = 64;

// ------------------------------------------------------------------ the verifiable log

// Checkpoints kept beyond the cosigned ones (ledger/transparency/): the
// newest, at one per --checkpoint_interval_ms while the log grows (hours of
// history for witnesses).
inline constexpr size_t kKeptCheckpoints = 4096;
// Witnesses ledgerd accepts cosignatures from (--witness_keys).
inline constexpr size_t kMaxWitnesses = 64;
// How far in the future a witness's cosignature may be dated, seconds.
inline constexpr int64_t kMaxCosignatureClockSkewSeconds = 600;

// ------------------------------------------------------------------ the server (services/)

// Largest request accepted, bytes: 4 MiB (ServerOptions::max_request_bytes;
// gRPC takes an int).
inline constexpr int kMaxRequestBytes = 4 << 20;
// Message nesting the request parser walks into when it names a bad field
// (services/request_bytes.cc), levels: deeper than any request message
// nests; bounds the recursion on hostile bytes.
inline constexpr int kMaxRequestNestingDepth = 32;
// Threads gRPC may start for its own work (ServerOptions::max_threads, its
// resource quota).
inline constexpr int kMaxServerThreads = 256;
// Calls that scan the whole log (VerifyChain, RebuildProjections, backups)
// running at once, each on a thread of its own; more are refused
// RESOURCE_EXHAUSTED.
inline constexpr int kMaxWholeLogCalls = 2;
// Of those, slots only an admin's call may take: a flood of public
// VerifyChain calls cannot keep an admin from taking a backup.
inline constexpr int kAdminOnlyWholeLogCalls = 1;
// Streams (WatchBalances, Subscribe) open at once, in all; beyond it a new
// one is refused RESOURCE_EXHAUSTED. An idle stream costs memory, not a
// thread (services/streams.h).
inline constexpr size_t kMaxOpenStreams = 4096;
// Connections: calls in flight on one HTTP/2 connection
// (GRPC_ARG_MAX_CONCURRENT_STREAMS); a connection with no call for this long
// is closed (GRPC_ARG_MAX_CONNECTION_IDLE_MS); keepalive pings every
// kKeepaliveTimeMs, a peer that does not answer within kKeepaliveTimeoutMs
// is dropped; a client may ping no more often than kMinClientPingIntervalMs.
inline constexpr int kMaxCallsPerConnection = 1024;
inline constexpr int kMaxConnectionIdleMs = 10 * 60 * 1000;
inline constexpr int kKeepaliveTimeMs = 60 * 1000;
inline constexpr int kKeepaliveTimeoutMs = 20 * 1000;
inline constexpr int kMinClientPingIntervalMs = 10 * 1000;
// File descriptors ledgerd keeps for itself (RocksDB's files, backups) out
// of RLIMIT_NOFILE, by holding them open until it needs them.
inline constexpr int kReservedFds = 64;
// How often ledgerd calls itself over loopback to check that it still
// accepts connections, and how long each try may take, milliseconds.
inline constexpr int kAcceptProbeIntervalMs = 2000;
inline constexpr int kAcceptProbeDeadlineMs = 1000;
// Connections open at once (ledgerd --max_connections): by default the
// smaller of kDefaultMaxConnections and the soft RLIMIT_NOFILE less
// kConnectionHeadroomFds (descriptors for the ledger's files, the reserve and
// gRPC's own); beyond it a new connection is closed as soon as it is accepted.
inline constexpr int kDefaultMaxConnections = 4096;
inline constexpr int kConnectionHeadroomFds = 256;
// A new connection that has not finished its handshake (TLS, and the
// client's HTTP/2 settings) within this long is closed.
inline constexpr int kHandshakeTimeoutMs = 10 * 1000;
// The accept thread: how long it waits in poll (Stop ends it within this),
// how long it pauses after running out of descriptors, and how often at
// most it counts the connections open (in between each one accepted counts
// as open), milliseconds.
inline constexpr int kAcceptPollMs = 100;
inline constexpr int kAcceptBackoffMs = 20;
inline constexpr int kConnectionCountIntervalMs = 100;
// Two to sign: the most approvals a policy may ask of one disbursement, and
// the most thresholds it may have.
inline constexpr uint32_t kMaxApprovals = 5;
inline constexpr int kMaxApprovalThresholds = 20;

// ------------------------------------------------------------------ how the limits relate

// An id fits wherever a name goes, and a name wherever free text goes.
static_assert(1 <= kMaxIdLength && kMaxIdLength <= kMaxNameLength &&
              kMaxNameLength <= kMaxMemoLength);
// The largest append is one group commit (the writer never splits a request).
static_assert(kMaxEventsPerAppend <= kMaxEventsPerGroupCommit);
// One append's worth of maximum amounts adds up in int64 without overflow.
static_assert(kMaxAmountMinor <=
              std::numeric_limits<int64_t>::max() / static_cast<int64_t>(kMaxEventsPerAppend));
static_assert(kMinYear < kMaxYear);
// A statement can walk every monthly period of the years the ledger accepts.
static_assert(kMaxFeePeriodsWalked > int64_t{kMaxYear - kMinYear + 1} * 12);
static_assert(kDefaultMaxQueuedAppends >= 1);
// A member's bucket holds the largest Append, so none is refused for ever.
static_assert(kDefaultAppendEventsPerSecond >= 1 &&
              static_cast<size_t>(kDefaultAppendBurstEvents) >= kMaxEventsPerAppend);
static_assert(1 <= kDefaultReadEventsPage && kDefaultReadEventsPage <= kMaxReadEventsPage);
static_assert(1 <= kDefaultListPage && kDefaultListPage <= kMaxListPage);
// A reply (and one item of the largest text beyond it) stays under what a
// gRPC client accepts by default (4 MiB).
static_assert(kMaxReplyBytes + size_t{64} * 1024 < (size_t{4} << 20) &&
              kMaxWatchBalancesPartItems >= 1);
// position / kPositionBucketSize names a bucket; a power of two keeps the
// buckets aligned however the log grows (and the division a shift).
static_assert(kPositionBucketSize > 0 && (kPositionBucketSize & (kPositionBucketSize - 1)) == 0);
static_assert(kMaxReportedMismatches >= 1);
// A backup's name fits in a path component (NAME_MAX 255) and in a path.
static_assert(1 <= kMaxBackupNameLength && kMaxBackupNameLength <= 255 &&
              kMaxBackupNameLength < kMaxPathLength);
static_assert(kKeptCheckpoints >= 1 && kMaxWitnesses >= 1 && kMaxCosignatureClockSkewSeconds >= 0);
// The largest Append fits in one request: kMaxEventsPerAppend events, each
// with the most text any kind takes (a disbursement: event and beneficiary
// ids, memo and purpose, payee, method and reference) and 100 bytes for its
// date, amount and protobuf framing.
static_assert(kMaxEventsPerAppend *
                  (2 * kMaxIdLength + 2 * kMaxMemoLength + 3 * kMaxNameLength + 100) <=
              static_cast<size_t>(kMaxRequestBytes));
static_assert(kMaxRequestNestingDepth >= 1 && kMaxServerThreads >= 1 && kMaxWholeLogCalls >= 1);
// Some slots stay for everyone, and at least one for admins.
static_assert(1 <= kAdminOnlyWholeLogCalls && kAdminOnlyWholeLogCalls < kMaxWholeLogCalls);
static_assert(kMaxOpenStreams >= 1 && kMaxCallsPerConnection >= 1);
static_assert(kKeepaliveTimeoutMs < kKeepaliveTimeMs && kMinClientPingIntervalMs >= 1000 &&
              kMaxConnectionIdleMs > kKeepaliveTimeMs);
static_assert(kReservedFds >= 8 && kAcceptProbeDeadlineMs < kAcceptProbeIntervalMs);
// The headroom holds the reserve twice over; the cap leaves room for it.
static_assert(kConnectionHeadroomFds >= 2 * kReservedFds &&
              kDefaultMaxConnections > kConnectionHeadroomFds);
static_assert(kHandshakeTimeoutMs < kMaxConnectionIdleMs && kAcceptBackoffMs < kAcceptPollMs &&
              kAcceptPollMs < kAcceptProbeIntervalMs &&
              kConnectionCountIntervalMs < kAcceptProbeIntervalMs);

}  // namespace ledger

#endif  // LEDGER_LIMITS_H_
