// EventKind: everything the ledger knows about one kind of event, in one
// place (one file per kind under ledger/domain/events/).
//
// A kind validates its fields (stage 1, the event alone), decides an event
// against the books (stage 2: its preconditions now and, when it is being
// recorded, as of its date; then its effects), gives the money effects of a
// logged event again (for point-in-time views, statements and exports, which
// read events back), and describes an event for people and exports. Every
// other part of the ledger asks the registry (ledger/domain/registry.h)
// instead of switching over the kind.
//
// What is generic stays out of the kinds: the event count, the postings of a
// single movement, that no fund goes below zero now or on any day from the
// event's date on (ledger/domain/decide.h), and how effects become rows
// (ledger/projections/).
//
// Thread-safety: kinds are stateless singletons; every method is const.
#ifndef LEDGER_DOMAIN_KIND_H_
#define LEDGER_DOMAIN_KIND_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ledger/domain/books.h"
#include "ledger/domain/effects.h"
#include "ledger/domain/privacy.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

// Which checks stage 2 runs.
enum class EventChecks {
  // An event being recorded: every rule, including the dated ones (an event
  // must hold as of its own occurred_on as well as now).
  kWhenRecorded,
  // An event already in the log, replayed by a rebuild: the rules of
  // recording order only, so that an event accepted by the rules of its day
  // replays to the same state whatever rules were added since.
  kOnReplay,
};

// The event being decided.
struct Decision {
  uint64_t position = 0;
  const v1::EventPayload* payload = nullptr;
  EventChecks checks = EventChecks::kWhenRecorded;
  EventLookup* lookup = nullptr;  // finds reversal targets

  const v1::EventBody& body() const { return payload->body(); }
  const std::string& occurred_on() const { return payload->occurred_on(); }
  bool dated() const { return checks == EventChecks::kWhenRecorded; }
};

// The descriptive columns of an event in exports (docs/AUDITING.md).
struct EventDetails {
  std::string beneficiary_id, branch_id, donor_kind, donor_ref, target_event_id, reversal_kind,
      name, details, method, reference, payee;
  // The amount an event names without moving it (a disbursement request,
  // its rejection or cancellation: money committed or released).
  std::optional<v1::Money> amount;
};

class EventKind {
 public:
  virtual ~EventKind() = default;

  // The oneof case of EventBody this kind is.
  virtual v1::EventBody::KindCase kind_case() const = 0;
  // Its field name in EventBody ("donation_received"), used in field paths,
  // messages and exports.
  virtual absl::string_view name() const = 0;

  // Stage 1: the fields alone. Field paths are relative to the EventInput
  // ("body.donation_received.amount.currency").
  virtual absl::Status Validate(const v1::EventBody& body) const = 0;

  // Stage 2: refuses the event if the books do not allow it, else adds its
  // effects (money and registers) to `out`.
  virtual absl::Status Decide(const Decision& d, Books& books, Effects& out) const = 0;

  // The single money movement of this event, if it moves money; nullopt for
  // kinds that move none. An event that moves money can be reversed.
  virtual std::optional<Movement> MovementOf(const v1::EventBody& body) const;

  // The fund, branch and totals changes of `amount_minor` of this event's
  // movement: the whole amount for the event itself, minus the reversed
  // amount for a reversal of it. Pure; postings aside.
  virtual void AddMoneyChanges(const v1::EventBody& body, int64_t amount_minor, Effects& out) const;

  // A reversal of `amount_minor` of `original` (whole when it is all of
  // it): the checks and register changes beyond the money, which the
  // reversal adds itself. Only called for kinds that move money.
  virtual absl::Status DecideReversal(const Decision& d, const LoggedEvent& original,
                                      int64_t amount_minor, bool whole, Books& books,
                                      Effects& out) const;

  // Two to sign: the committed-money changes of the event (a request
  // commits, a payment, rejection or cancellation releases), from its body
  // alone; Decide adds the same. None for most kinds.
  virtual void AddCommitments(const v1::EventBody& body, Effects& out) const {}

  // ---- private details (ledger/domain/privacy.h)

  // Whether the event concerns a sensitive fund (its PRIVATE_IF_SENSITIVE
  // fields are then private). Read before the event is decided.
  virtual absl::StatusOr<bool> ConcernsSensitiveFund(const v1::EventBody& body, Books& books) const;
  // The reference of the person the event's private details are about (a
  // donor, a payee), whose data key seals them; "" for none.
  virtual std::string PartyOf(const v1::EventBody& body) const;
  // Sets what the server derives before the event is split and decided
  // (the keyed id of a party to erase).
  virtual void Prepare(v1::EventBody& body, const PartyIds& ids) const;
  // After the split: records in the public body what deciding the event
  // (on every replay too) needs to know of its private part, such as that a
  // sensitive fund's purpose is in it. `details` holds the private fields.
  virtual void NotePrivate(const v1::EventPayload& details, v1::EventBody& public_body) const;

  // ---- who may record it

  // The role a member needs to append an event of this kind (an append of
  // several needs each one's). ROLE_UNSPECIFIED: no client may append it.
  virtual v1::Role RequiredRole() const { return v1::ROLE_TREASURER; }

  // One line for people: "donation 50.00 GBP from supporter-17 to general fund".
  virtual std::string Describe(const v1::EventBody& body) const = 0;
  // The descriptive export columns.
  virtual EventDetails Details(const v1::EventBody& body) const = 0;
};

}  // namespace ledger

#endif  // LEDGER_DOMAIN_KIND_H_
