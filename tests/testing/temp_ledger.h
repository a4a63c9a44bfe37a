// TempLedger: one test's own ledger - a real EventLog (RocksDB) in a temp
// directory that is removed with the object.
//
// It owns the temp directory, a FixedClock standing at TestEpoch()
// (2026-03-01 12:00 UTC), the options it opens with and the open EventLog.
// Opening is a step of its own so that a fixture can ASSERT on it in SetUp,
// and so that a test can close the same ledger and open it again, with the
// same or other options (read-only, another rocksdb::Env, sync off).
//
// The helpers give what ledger tests check again and again:
//   Snapshot()       the head and every state row as one short string;
//   ExpectRefused()  an append that must be refused with a code and a
//                    reason, and that must leave Snapshot() unchanged (a
//                    refused append writes nothing).
//
// Thread-safety: log() is an EventLog (any thread); everything else from the
// test's own thread.
#ifndef LEDGER_TESTS_TEMP_LEDGER_H_
#define LEDGER_TESTS_TEMP_LEDGER_H_

#include <initializer_list>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/writer/event_log.h"
#include "tests/testing/test_util.h"

namespace ledger::testing {

// What ExpectRefused saw. May be ignored (unlike absl::Status), and converts
// to absl::Status for the tests that look further.
struct Refused {
  absl::Status status;

  operator absl::Status() const { return status; }  // NOLINT: implicit on purpose
  // The ErrorDetail of the refusal (an empty one if it carries none).
  v1::ErrorDetail detail() const;
  std::string message() const { return std::string(status.message()); }
};

class TempLedger {
 public:
  // A new temp directory; nothing is opened yet. Open() uses `options`; an
  // options struct with no clock gets clock() (the fixed clock), one with no
  // private key the test key (TestPrivateKey()).
  explicit TempLedger(EventLogOptions options = {});
  // Closes the log, then removes the directory.
  ~TempLedger();
  TempLedger(const TempLedger&) = delete;
  TempLedger& operator=(const TempLedger&) = delete;

  // Opens (or creates) the ledger at path() with the constructor's options,
  // or with `options` (no clock: clock()). FAILED_PRECONDITION if it is
  // already open; otherwise what EventLog::Open returns.
  absl::Status Open();
  absl::Status Open(EventLogOptions options);
  // Closes the log (its writer finishes first); nothing if it is closed.
  void Close();
  // Close(), then Open().
  absl::Status Reopen();
  absl::Status Reopen(EventLogOptions options);

  bool is_open() const { return log_ != nullptr; }
  // REQUIRES: is_open().
  EventLog& log() const;
  FixedClock& clock() { return clock_; }
  // The ledger's own directory, inside the temp directory.
  const std::string& path() const { return path_; }
  // A path beside the ledger in the temp directory ("backups", "restored").
  std::string Sub(absl::string_view name) const { return dir_.Sub(name); }
  const TempDir& dir() const { return dir_; }

  // EventLog::Append. REQUIRES: is_open().
  absl::StatusOr<AppendResult> Append(const v1::AppendRequest& request,
                                      absl::string_view actor = "");
  absl::StatusOr<AppendResult> Append(std::initializer_list<v1::EventInput> events);

  // "head=<position>\n" and then every state row, rendered (RenderState).
  // REQUIRES: is_open().
  std::string Snapshot() const;

  // Appends `request` and expects it refused with `code` and ErrorDetail
  // reason `reason`, and Snapshot() the same before and after; each miss is
  // a test failure. REQUIRES: is_open().
  Refused ExpectRefused(const v1::AppendRequest& request, absl::StatusCode code,
                        absl::string_view reason);

 private:
  TempDir dir_;
  const std::string path_;
  FixedClock clock_{TestEpoch()};
  const EventLogOptions options_;
  std::unique_ptr<EventLog> log_;
};

}  // namespace ledger::testing

#endif  // LEDGER_TESTS_TEMP_LEDGER_H_
