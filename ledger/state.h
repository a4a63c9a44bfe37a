// The projection state: key layout and layered views.
//
// All projection rows live in the `state` column family under the keys below
// (see ledger/FORMAT.md). The rules read and write rows through a StateView;
// the writer stacks views (database <- group commit <- one request) so that a
// refused request is dropped without touching what the others wrote, and a
// rebuild runs the very same rules over an in-memory view.
//
// Thread-safety: a StateView is used by one thread at a time.
#ifndef LEDGER_STATE_H_
#define LEDGER_STATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/status_macros.h"
#include "solidarity/ledger/v1/projections.pb.h"
#include "solidarity/ledger/v1/state.pb.h"

namespace ledger {

namespace v1 = ::solidarity::ledger::v1;

// Key layout of the state column family.
inline constexpr char kTotalsKey[] = "totals";
std::string FundKey(absl::string_view fund, absl::string_view currency);   // fund/<fund>/<cur>
std::string FundPrefix(absl::string_view fund);                            // fund/<fund>/
std::string AccountKey(absl::string_view account, absl::string_view currency);  // acct/<account>/<cur>
std::string BeneficiaryKey(absl::string_view id);                          // ben/<id>
std::string BranchKey(absl::string_view id);                               // br/<id>
std::string ReversalKey(uint64_t position);                                // rev/<be64>
inline constexpr char kFundKeyPrefix[] = "fund/";
inline constexpr char kAccountKeyPrefix[] = "acct/";
inline constexpr char kBeneficiaryKeyPrefix[] = "ben/";
inline constexpr char kBranchKeyPrefix[] = "br/";
inline constexpr char kReversalKeyPrefix[] = "rev/";

// "general" and "beneficiary/<id>".
inline constexpr char kGeneralFund[] = "general";
std::string BeneficiaryFund(absl::string_view beneficiary_id);

// Called for each row of a scan, in key order; returning false stops it.
using RowFn = std::function<bool(absl::string_view key, absl::string_view value)>;

// Key-value access to projection rows. Get returns nullopt for a missing row.
class StateView {
 public:
  virtual ~StateView() = default;
  virtual absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) = 0;
  virtual void Put(absl::string_view key, std::string value) = 0;
  // Every row whose key starts with `prefix` and is >= `start` (pass
  // `prefix` itself to start at the beginning), in key order, with the
  // view's own changes merged over its base.
  virtual absl::Status Scan(absl::string_view prefix, absl::string_view start,
                            const RowFn& fn) = 0;

  // Typed helpers: parse / serialise a row as message M.
  template <typename M>
  absl::StatusOr<std::optional<M>> Load(absl::string_view key) {
    ASSIGN_OR_RETURN(std::optional<std::string> raw, Get(key));
    if (!raw) return std::optional<M>();
    M message;
    if (!message.ParseFromString(*raw)) return CorruptRow(key);
    return std::optional<M>(std::move(message));
  }
  template <typename M>
  void Store(absl::string_view key, const M& message) {
    std::string bytes;
    message.SerializeToString(&bytes);
    Put(key, std::move(bytes));
  }

 protected:
  static absl::Status CorruptRow(absl::string_view key);
};

// A view over an in-memory map (an empty state grows from a rebuild).
class MemoryState : public StateView {
 public:
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override;
  void Put(absl::string_view key, std::string value) override;
  absl::Status Scan(absl::string_view prefix, absl::string_view start, const RowFn& fn) override;
  const std::map<std::string, std::string>& rows() const { return rows_; }
  std::map<std::string, std::string>& mutable_rows() { return rows_; }

 private:
  std::map<std::string, std::string> rows_;
};

// Changes layered over a base view; Put never reaches the base. Commit()
// applies them to the base (another overlay, or the write batch builder).
class OverlayState : public StateView {
 public:
  explicit OverlayState(StateView* base) : base_(base) {}
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) override;
  void Put(absl::string_view key, std::string value) override;
  absl::Status Scan(absl::string_view prefix, absl::string_view start, const RowFn& fn) override;
  // Moves every change into the base view and clears this overlay.
  void CommitToBase();
  const std::map<std::string, std::string, std::less<>>& changes() const { return changes_; }
  void Clear() { changes_.clear(); }

 private:
  StateView* base_;
  std::map<std::string, std::string, std::less<>> changes_;
};

// A scan of `changes` merged over a scan of the rows beneath them
// (`base_scan`, called with the same prefix and start): a change hides the
// base row with the same key. Shared by the layered views.
using ScanFn = std::function<absl::Status(absl::string_view prefix, absl::string_view start,
                                          const RowFn& fn)>;
absl::Status ScanMerged(const std::map<std::string, std::string, std::less<>>& changes,
                        const ScanFn& base_scan, absl::string_view prefix,
                        absl::string_view start, const RowFn& fn);

}  // namespace ledger

#endif  // LEDGER_STATE_H_
