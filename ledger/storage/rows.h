// Rows: keyed byte strings in key order, the shape of every projection.
//
// RowReader reads rows (a snapshot of the database, a point in time, an
// in-memory rebuild); StateView reads and writes them. The writer stacks
// views (database <- group commit <- one request) so that a refused request
// is dropped without touching what the others wrote, and a rebuild runs the
// very same code over an in-memory view. Row layouts belong to the
// projections (ledger/projections/keys.h); nothing here knows them.
//
// Thread-safety: a view is used by one thread at a time.
#ifndef LEDGER_STORAGE_ROWS_H_
#define LEDGER_STORAGE_ROWS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ledger/status_macros.h"

namespace ledger {

// Called for each row of a scan, in key order; returning false stops it.
using RowFn = std::function<bool(absl::string_view key, absl::string_view value)>;

// DATA_LOSS: "state row "<key>" cannot be decoded".
absl::Status CorruptRow(absl::string_view key);

class RowReader {
 public:
  virtual ~RowReader() = default;

  // The row at `key`; nullopt if there is none.
  virtual absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) = 0;

  // Every row whose key starts with `prefix` and is >= `start` (a start
  // before the prefix starts at the prefix), in key order, until `fn`
  // returns false.
  virtual absl::Status ScanFrom(absl::string_view prefix, absl::string_view start,
                                const RowFn& fn) = 0;

  // Every row whose key starts with `prefix`.
  absl::Status Scan(absl::string_view prefix, const RowFn& fn) {
    return ScanFrom(prefix, prefix, fn);
  }

  // The row at `key` decoded as message M (DATA_LOSS if it does not decode).
  template <typename M>
  absl::StatusOr<std::optional<M>> Load(absl::string_view key) {
    ASSIGN_OR_RETURN(std::optional<std::string> raw, Get(key));
    if (!raw) return std::optional<M>();
    M message;
    if (!message.ParseFromString(*raw)) return CorruptRow(key);
    return std::optional<M>(std::move(message));
  }

  // Calls fn(key, const M& row) -> absl::Status for every row under
  // `prefix` from `start` on, decoded as M; stops at and returns the first
  // error, fn's or a row's that does not decode.
  template <typename M, typename Fn>
  absl::Status ForEachFrom(absl::string_view prefix, absl::string_view start, Fn fn) {
    absl::Status failed;
    RETURN_IF_ERROR(ScanFrom(prefix, start, [&](absl::string_view key, absl::string_view value) {
      M row;
      if (!row.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        failed = CorruptRow(key);
        return false;
      }
      failed = fn(key, row);
      return failed.ok();
    }));
    return failed;
  }
  template <typename M, typename Fn>
  absl::Status ForEach(absl::string_view prefix, Fn fn) {
    return ForEachFrom<M>(prefix, prefix, std::move(fn));
  }
};

class StateView : public RowReader {
 public:
  virtual void Put(absl::string_view key, std::string value) = 0;

  template <typename M>
  void Store(absl::string_view key, const M& message) {
    std::string bytes;
    message.SerializeToString(&bytes);
    Put(key, std::move(bytes));
  }
};

// A view over an in-memory map (an empty state grows from a rebuild).
class MemoryState : public StateView {
 public:
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override;
  void Put(absl::string_view key, std::string value) override;
  absl::Status ScanFrom(absl::string_view prefix, absl::string_view start,
                        const RowFn& fn) override;
  const std::map<std::string, std::string, std::less<>>& rows() const { return rows_; }
  std::map<std::string, std::string, std::less<>>& mutable_rows() { return rows_; }

 private:
  std::map<std::string, std::string, std::less<>> rows_;
};

// Changes layered over a base view; Put never reaches the base until
// CommitToBase.
class OverlayState : public StateView {
 public:
  explicit OverlayState(StateView* base) : base_(base) {}
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override;
  void Put(absl::string_view key, std::string value) override;
  absl::Status ScanFrom(absl::string_view prefix, absl::string_view start,
                        const RowFn& fn) override;
  // Moves every change into the base view and clears this overlay.
  void CommitToBase();
  const std::map<std::string, std::string, std::less<>>& changes() const { return changes_; }

 private:
  StateView* base_;
  std::map<std::string, std::string, std::less<>> changes_;
};

// A scan of `changes` merged over a scan of the rows beneath them
// (`base_scan`, called with the same prefix and start): a change hides the
// base row with the same key. Shared by the layered views.
using BaseScan =
    std::function<absl::Status(absl::string_view prefix, absl::string_view start, const RowFn& fn)>;
absl::Status ScanMerged(const std::map<std::string, std::string, std::less<>>& changes,
                        const BaseScan& base_scan, absl::string_view prefix,
                        absl::string_view start, const RowFn& fn);

}  // namespace ledger

#endif  // LEDGER_STORAGE_ROWS_H_
