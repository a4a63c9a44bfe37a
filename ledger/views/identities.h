// Identities: who is who in an answer, for the callers who may not see it.
//
// The public (no token) and viewers never receive a sensitive fund's id, an
// event id or a disbursement request id (shared/DESIGN.md, "Identities and
// roles"; docs/SECURITY.md). Ids are chosen by a treasurer and may be a
// person's name. Every field of the API that holds one is marked in the
// schema (`(ref)`, proto/solidarity/ledger/v1/options.proto), and one walk
// over the marks rewrites an answer:
//
//   a sensitive fund's id        -> "fund@<P>", P the position of its
//                                   BeneficiaryRegistered (funds that are
//                                   not sensitive keep their ids)
//   an event id                  -> "event@<P>", its position
//   a disbursement request's id  -> "request@<P>", the position of its
//                                   DisbursementRequested
//   free text (names, purposes)  -> every sensitive fund id in it, as a
//                                   whole word in any letter case, replaced
//                                   by its alias
//
// The same marks are read in such a caller's request: an alias names the
// fund, event or request it stands for, and a real id names nothing (it is
// answered exactly as an id that does not exist, so that nobody can test a
// guess). Refusals are rewritten like answers, and the messages of server
// faults, which may quote rows, are replaced by a plain sentence.
//
// Aliases are stable: a position never changes, and a fund once sensitive
// stays so (ledger/domain/events/beneficiary_updated.cc). Answers as of a
// past point are masked with the register as it is now, so a fund made
// sensitive later is hidden in the past too.
//
// Thread-safety: a FundDirectory is immutable and shared; an IdentityMask is
// used by one call (one thread at a time); FundDirectoryCache is safe.
#ifndef LEDGER_VIEWS_IDENTITIES_H_
#define LEDGER_VIEWS_IDENTITIES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "ledger/storage/read_view.h"
#include "ledger/sync.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

inline constexpr char kFundAliasPrefix[] = "fund@";
inline constexpr char kEventAliasPrefix[] = "event@";
inline constexpr char kRequestAliasPrefix[] = "request@";

std::string FundAlias(uint64_t registered_position);
std::string EventAlias(uint64_t position);
std::string RequestAlias(uint64_t position);
// The position an alias with `prefix` names; nullopt if `text` is not one
// (a position is 1-20 decimal digits without a leading zero).
std::optional<uint64_t> ParseAlias(absl::string_view text, absl::string_view prefix);

// The fund register as masking needs it, read once at one head.
class FundDirectory {
 public:
  static absl::StatusOr<std::shared_ptr<const FundDirectory>> Load(ReadView& view);

  uint64_t head() const { return head_; }
  bool Exists(absl::string_view id) const { return all_.contains(id); }
  bool IsSensitive(absl::string_view id) const { return alias_of_.contains(id); }
  // `id` as such a caller sees it: its alias if the fund is sensitive.
  std::string PublicId(absl::string_view id) const;
  // The sensitive fund `alias` stands for; nullopt if none.
  std::optional<std::string> IdOfAlias(absl::string_view alias) const;
  // `text` with every sensitive fund id in it (a whole word: not next to a
  // letter or digit; any letter case; longest ids first) replaced by its alias.
  std::string Scrub(absl::string_view text) const;

 private:
  uint64_t head_ = 0;
  absl::flat_hash_set<std::string> all_;
  absl::flat_hash_map<std::string, std::string> alias_of_;  // sensitive id -> alias
  absl::flat_hash_map<std::string, std::string> id_of_;     // alias -> sensitive id
  std::vector<std::string> longest_first_;                  // sensitive ids
};

// The directory at the newest head, loaded again only when the head moved.
class FundDirectoryCache {
 public:
  absl::StatusOr<std::shared_ptr<const FundDirectory>> For(ReadView& newest)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Mutex mu_;
  std::shared_ptr<const FundDirectory> latest_ ABSL_GUARDED_BY(mu_);
};

// Sort key of a public fund id: ids in their order, then aliases by position
// (so the order of a list says nothing about where a sensitive id falls).
std::string PublicFundSortKey(absl::string_view public_id);
// Sorts masked lists by public id.
void SortByPublicFund(google::protobuf::RepeatedPtrField<v1::BeneficiaryView>* views);
void SortByPublicAccount(google::protobuf::RepeatedPtrField<v1::AccountBalance>* accounts);

// One call's masking.
class IdentityMask {
 public:
  using ViewFactory = std::function<std::unique_ptr<ReadView>()>;
  // `newest` is read for the positions of event and request ids; `refresh`
  // (optional) gives a newer view for ids an answer names that `newest` and
  // `funds` do not know yet (the handler read after them).
  IdentityMask(std::shared_ptr<const FundDirectory> funds, std::unique_ptr<ReadView> newest,
               ViewFactory refresh = nullptr);

  const FundDirectory& funds() const { return *funds_; }

  // Rewrites the ids `request` names into what the handler reads (see the
  // file comment).
  absl::Status Inbound(google::protobuf::Message& request);
  // Rewrites an answer; only once per call (a handler that sorts or pages by
  // public id masks its answer itself first; later calls do nothing).
  absl::Status Outbound(google::protobuf::Message& answer);
  // A refusal as the caller may see it.
  absl::Status Refusal(const absl::Status& status);

 private:
  enum class Lookup { kFund, kEvent, kRequest };
  absl::Status InboundFields(google::protobuf::Message& m, int depth);
  absl::StatusOr<std::string> InboundValue(int ref, const std::string& value);
  absl::StatusOr<std::string> InboundId(Lookup what, absl::string_view value);
  absl::StatusOr<std::string> StandIn(Lookup what, absl::string_view asked);
  void Learn(const google::protobuf::Message& m, int depth);
  absl::Status OutboundFields(google::protobuf::Message& m, int depth);
  absl::StatusOr<std::string> OutboundValue(int ref, const std::string& value);
  absl::StatusOr<std::string> PublicFund(absl::string_view id);
  absl::StatusOr<std::string> EventRef(const std::string& event_id);
  absl::StatusOr<std::string> RequestRef(const std::string& request_id);
  std::string Restore(std::string text) const;

  std::shared_ptr<const FundDirectory> funds_;
  std::unique_ptr<ReadView> view_;
  ViewFactory refresh_;
  bool answered_ = false;
  // Ids that name nothing, put in for what the caller asked (restored in
  // refusals, so a hidden id is answered exactly as an unknown one).
  std::vector<std::pair<std::string, std::string>> stand_ins_;
  // Positions met in the answer itself.
  absl::flat_hash_map<std::string, uint64_t> event_positions_;
  absl::flat_hash_map<std::string, uint64_t> request_positions_;
  // Funds the directory does not know, as placed from their rows.
  absl::flat_hash_map<std::string, std::string> late_funds_;
};

}  // namespace ledger

#endif  // LEDGER_VIEWS_IDENTITIES_H_
