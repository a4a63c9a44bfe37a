// Goal: every kind of bad request, sent over real gRPC (loopback, port 0) to a
// real EventLog in a temp dir, is refused with the right status code and a
// message that names the field, and writes nothing (the head does not move).
// The requests go out as raw bytes through a generic stub, so what is tested
// is the server's answer to those bytes, whatever a client library would
// have let through.
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "ledger/merkle/ed25519.h"
#include "ledger/merkle/note.h"
#include "ledger/transparency/checkpoints.h"
#include "services/grpc_status.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/test_server.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Gbp;
using ::ledger::testing::Of;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// Stands in for a string field's value while the request is serialised, then
// is swapped for as many bytes of invalid UTF-8 (same length, so every length
// prefix stays right).
constexpr char kBadUtf8Marker[] = "@@BAD-UTF8@@";

// One valid event of each kind a client may send, against the set-up state
// (beneficiary "lawyer" holding money, branch "leeds" affiliated, donation
// "seed-don" recorded).
v1::EventInput Envelope(absl::string_view id) {
  v1::EventInput in;
  in.set_event_id(std::string(id));
  in.set_occurred_on("2026-03-01");
  in.set_memo("a note");
  return in;
}
v1::EventInput Registered() {
  v1::EventInput in = Envelope("bad-reg");
  auto* e = in.mutable_body()->mutable_beneficiary_registered();
  e->set_beneficiary_id("newfund");
  e->set_display_name("New fund");
  e->set_purpose("legal aid");
  return in;
}
v1::EventInput Updated() {
  v1::EventInput in = Envelope("bad-upd");
  auto* e = in.mutable_body()->mutable_beneficiary_updated();
  e->set_beneficiary_id("lawyer");
  e->set_display_name("Legal fund");
  e->set_purpose("legal aid and bail");
  return in;
}
v1::EventInput Closed() {
  v1::EventInput in = Envelope("bad-close");
  auto* e = in.mutable_body()->mutable_beneficiary_closed();
  e->set_beneficiary_id("lawyer");
  e->set_reason("case won");
  return in;
}
v1::EventInput Affiliated() {
  v1::EventInput in = Envelope("bad-aff");
  auto* e = in.mutable_body()->mutable_branch_affiliated();
  e->set_branch_id("york");
  e->set_union_name("UNISON");
  e->set_branch_name("York Health");
  e->set_region("Yorkshire");
  e->set_members(120);
  *e->mutable_fee_basis()->mutable_fixed()->mutable_fee() = Gbp(1000);
  e->mutable_fee_basis()->set_period(v1::FEE_PERIOD_MONTHLY);
  return in;
}
v1::EventInput PerMemberAffiliated() {
  v1::EventInput in = Affiliated();
  auto* basis = in.mutable_body()->mutable_branch_affiliated()->mutable_fee_basis();
  basis->clear_fixed();
  *basis->mutable_per_member()->mutable_fee_per_member() = Gbp(5);
  *basis->mutable_per_member()->mutable_minimum() = Gbp(500);
  return in;
}
v1::EventInput Disaffiliated() {
  v1::EventInput in = Envelope("bad-disaff");
  auto* e = in.mutable_body()->mutable_branch_disaffiliated();
  e->set_branch_id("leeds");
  e->set_reason("left");
  return in;
}
v1::EventInput FeePaid() {
  v1::EventInput in = Envelope("bad-fee");
  auto* e = in.mutable_body()->mutable_affiliation_fee_paid();
  e->set_branch_id("leeds");
  *e->mutable_amount() = Gbp(1000);
  e->set_periods(1);
  e->set_method("bank transfer");
  e->set_reference("ref-1");
  return in;
}
v1::EventInput Donated() {
  v1::EventInput in = Envelope("bad-don");
  auto* e = in.mutable_body()->mutable_donation_received();
  *e->mutable_amount() = Gbp(100);
  e->set_donor_kind(v1::DONOR_KIND_INDIVIDUAL);
  e->set_donor_ref("donor-7");
  e->set_method("card");
  e->set_reference("ref-2");
  return in;
}
v1::EventInput Allocated() {
  v1::EventInput in = Envelope("bad-alloc");
  auto* e = in.mutable_body()->mutable_funds_allocated();
  e->set_beneficiary_id("lawyer");
  *e->mutable_amount() = Gbp(1);
  e->set_memo("for the appeal");
  return in;
}
v1::EventInput Disbursed() {
  v1::EventInput in = Envelope("bad-disb");
  auto* e = in.mutable_body()->mutable_disbursement_made();
  e->set_beneficiary_id("lawyer");
  *e->mutable_amount() = Gbp(1);
  e->set_purpose("court fees");
  e->set_payee("law-firm-1");
  e->set_method("bank transfer");
  e->set_reference("ref-3");
  return in;
}
v1::EventInput Reversed() {
  v1::EventInput in = Envelope("bad-rev");
  auto* e = in.mutable_body()->mutable_event_reversed();
  e->set_target_event_id("seed-don");
  e->set_kind(v1::REVERSAL_KIND_REFUND);
  e->set_reason("refund requested");
  return in;
}

// `base` changed by `edit`, as a one-event request.
v1::AppendRequest One(v1::EventInput base, const std::function<void(v1::EventInput&)>& edit) {
  edit(base);
  v1::AppendRequest req;
  *req.add_events() = std::move(base);
  return req;
}

struct Row {
  std::string name;
  v1::AppendRequest request;
  grpc::StatusCode code;
  // Must appear in the status message.
  std::string message_part;
  // The field path: the message starts with "<field>: " and ErrorDetail.field
  // is it. Empty = no field named.
  std::string field;
};

// A text field of one event kind: where it is and how to set it.
struct TextField {
  std::string path;  // under events[0].
  size_t limit;
  std::function<v1::EventInput()> base;
  std::function<void(v1::EventInput&, const std::string&)> set;
};

std::vector<TextField> TextFields() {
  const size_t kName = kMaxNameLength, kMemo = kMaxMemoLength;
  return {
      {"memo", kMemo, Donated, [](v1::EventInput& in, const std::string& v) { in.set_memo(v); }},
      {"body.beneficiary_registered.display_name", kName, Registered,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_beneficiary_registered()->set_display_name(v);
       }},
      {"body.beneficiary_registered.purpose", kMemo, Registered,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_beneficiary_registered()->set_purpose(v);
       }},
      {"body.beneficiary_updated.display_name", kName, Updated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_beneficiary_updated()->set_display_name(v);
       }},
      {"body.beneficiary_updated.purpose", kMemo, Updated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_beneficiary_updated()->set_purpose(v);
       }},
      {"body.beneficiary_closed.reason", kMemo, Closed,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_beneficiary_closed()->set_reason(v);
       }},
      {"body.branch_affiliated.union_name", kName, Affiliated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_branch_affiliated()->set_union_name(v);
       }},
      {"body.branch_affiliated.branch_name", kName, Affiliated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_branch_affiliated()->set_branch_name(v);
       }},
      {"body.branch_affiliated.region", kName, Affiliated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_branch_affiliated()->set_region(v);
       }},
      {"body.branch_disaffiliated.reason", kMemo, Disaffiliated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_branch_disaffiliated()->set_reason(v);
       }},
      {"body.affiliation_fee_paid.method", kName, FeePaid,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_affiliation_fee_paid()->set_method(v);
       }},
      {"body.affiliation_fee_paid.reference", kName, FeePaid,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_affiliation_fee_paid()->set_reference(v);
       }},
      {"body.donation_received.donor_ref", kName, Donated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_donation_received()->set_donor_ref(v);
       }},
      {"body.donation_received.method", kName, Donated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_donation_received()->set_method(v);
       }},
      {"body.donation_received.reference", kName, Donated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_donation_received()->set_reference(v);
       }},
      {"body.funds_allocated.memo", kMemo, Allocated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_funds_allocated()->set_memo(v);
       }},
      {"body.disbursement_made.purpose", kMemo, Disbursed,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_disbursement_made()->set_purpose(v);
       }},
      {"body.disbursement_made.payee", kName, Disbursed,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_disbursement_made()->set_payee(v);
       }},
      {"body.disbursement_made.method", kName, Disbursed,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_disbursement_made()->set_method(v);
       }},
      {"body.disbursement_made.reference", kName, Disbursed,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_disbursement_made()->set_reference(v);
       }},
      {"body.event_reversed.reason", kMemo, Reversed,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_event_reversed()->set_reason(v);
       }},
  };
}

// An id field of one event kind.
struct IdField {
  std::string path;
  std::function<v1::EventInput()> base;
  std::function<void(v1::EventInput&, const std::string&)> set;
};

std::vector<IdField> IdFields() {
  return {
      {"event_id", Donated, [](v1::EventInput& in, const std::string& v) { in.set_event_id(v); }},
      {"body.beneficiary_registered.beneficiary_id", Registered,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_beneficiary_registered()->set_beneficiary_id(v);
       }},
      {"body.beneficiary_updated.beneficiary_id", Updated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_beneficiary_updated()->set_beneficiary_id(v);
       }},
      {"body.beneficiary_closed.beneficiary_id", Closed,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_beneficiary_closed()->set_beneficiary_id(v);
       }},
      {"body.branch_affiliated.branch_id", Affiliated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_branch_affiliated()->set_branch_id(v);
       }},
      {"body.branch_disaffiliated.branch_id", Disaffiliated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_branch_disaffiliated()->set_branch_id(v);
       }},
      {"body.affiliation_fee_paid.branch_id", FeePaid,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_affiliation_fee_paid()->set_branch_id(v);
       }},
      {"body.funds_allocated.beneficiary_id", Allocated,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_funds_allocated()->set_beneficiary_id(v);
       }},
      {"body.disbursement_made.beneficiary_id", Disbursed,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_disbursement_made()->set_beneficiary_id(v);
       }},
      {"body.event_reversed.target_event_id", Reversed,
       [](v1::EventInput& in, const std::string& v) {
         in.mutable_body()->mutable_event_reversed()->set_target_event_id(v);
       }},
  };
}

// An amount field of one event kind.
struct MoneyField {
  std::string path;
  std::function<v1::EventInput()> base;
  std::function<v1::Money*(v1::EventInput&)> money;
};

std::vector<MoneyField> MoneyFields() {
  return {
      {"body.donation_received.amount", Donated,
       [](v1::EventInput& in) {
         return in.mutable_body()->mutable_donation_received()->mutable_amount();
       }},
      {"body.affiliation_fee_paid.amount", FeePaid,
       [](v1::EventInput& in) {
         return in.mutable_body()->mutable_affiliation_fee_paid()->mutable_amount();
       }},
      {"body.funds_allocated.amount", Allocated,
       [](v1::EventInput& in) {
         return in.mutable_body()->mutable_funds_allocated()->mutable_amount();
       }},
      {"body.disbursement_made.amount", Disbursed,
       [](v1::EventInput& in) {
         return in.mutable_body()->mutable_disbursement_made()->mutable_amount();
       }},
      {"body.event_reversed.amount", Reversed,
       [](v1::EventInput& in) {
         return in.mutable_body()->mutable_event_reversed()->mutable_amount();
       }},
      {"body.branch_affiliated.fee_basis.fixed.fee", Affiliated,
       [](v1::EventInput& in) {
         return in.mutable_body()
             ->mutable_branch_affiliated()
             ->mutable_fee_basis()
             ->mutable_fixed()
             ->mutable_fee();
       }},
      {"body.branch_affiliated.fee_basis.per_member.fee_per_member", PerMemberAffiliated,
       [](v1::EventInput& in) {
         return in.mutable_body()
             ->mutable_branch_affiliated()
             ->mutable_fee_basis()
             ->mutable_per_member()
             ->mutable_fee_per_member();
       }},
  };
}

std::vector<Row> AppendRows() {
  using grpc::StatusCode;
  std::vector<Row> rows;
  auto field_row = [&](std::string name, v1::AppendRequest req, std::string field,
                       std::string problem) {
    rows.push_back(Row{std::move(name), std::move(req), StatusCode::INVALID_ARGUMENT,
                       std::move(problem), absl::StrCat("events[0].", field)});
  };

  // ---- the request as a whole
  {
    v1::AppendRequest big = One(Registered(), [](v1::EventInput& in) {
      in.mutable_body()->mutable_beneficiary_registered()->set_purpose(std::string(5 << 20, 'p'));
    });
    rows.push_back(
        {"request over 4 MiB", big, StatusCode::RESOURCE_EXHAUSTED, "larger than max", ""});
  }
  {
    v1::AppendRequest batch;
    for (size_t i = 0; i <= kMaxEventsPerAppend; ++i) {
      v1::EventInput in = Donated();
      in.set_event_id(absl::StrCat("batch-", i));
      *batch.add_events() = in;
    }
    rows.push_back({"1001 events", batch, StatusCode::INVALID_ARGUMENT,
                    "1001 events is over the limit of 1000 per append", "events"});
  }
  rows.push_back({"no events", v1::AppendRequest(), StatusCode::INVALID_ARGUMENT,
                  "at least one event is required", "events"});
  {
    v1::AppendRequest dup;
    *dup.add_events() = Donated();
    *dup.add_events() = Donated();
    rows.push_back({"event id twice in one append", dup, StatusCode::INVALID_ARGUMENT,
                    "repeats events[0].event_id in the same append", "events[1].event_id"});
  }
  {
    // A bad event after good ones: refused as a whole, naming its index.
    v1::AppendRequest mixed;
    *mixed.add_events() = Registered();
    *mixed.add_events() = Donated();
    v1::EventInput bad = Allocated();
    bad.mutable_body()->mutable_funds_allocated()->mutable_amount()->set_amount_minor(-1);
    *mixed.add_events() = bad;
    rows.push_back({"third of three events bad", mixed, StatusCode::INVALID_ARGUMENT,
                    "must be positive", "events[2].body.funds_allocated.amount.amount_minor"});
  }

  // ---- ids: empty, one over the limit, bad characters
  for (const IdField& f : IdFields()) {
    field_row(absl::StrCat("empty ", f.path), One(f.base(), [&](auto& in) { f.set(in, ""); }),
              f.path, "is required");
    field_row(absl::StrCat("65-char ", f.path),
              One(f.base(), [&](auto& in) { f.set(in, std::string(kMaxIdLength + 1, 'a')); }),
              f.path, "is not a valid id");
    field_row(absl::StrCat("upper case ", f.path),
              One(f.base(), [&](auto& in) { f.set(in, "Lawyer"); }), f.path, "is not a valid id");
    field_row(absl::StrCat("slash in ", f.path), One(f.base(), [&](auto& in) { f.set(in, "a/b"); }),
              f.path, "is not a valid id");
  }
  field_row("65-char earmark",
            One(Donated(),
                [](auto& in) {
                  in.mutable_body()->mutable_donation_received()->set_earmark_beneficiary_id(
                      std::string(kMaxIdLength + 1, 'a'));
                }),
            "body.donation_received.earmark_beneficiary_id", "is not a valid id");
  field_row(
      "branch donation without branch_id",
      One(Donated(),
          [](auto& in) {
            in.mutable_body()->mutable_donation_received()->set_donor_kind(v1::DONOR_KIND_BRANCH);
          }),
      "body.donation_received.branch_id", "is required");

  // ---- text: one byte over each limit, control characters
  for (const TextField& f : TextFields()) {
    field_row(absl::StrCat(f.path, " at ", f.limit + 1, " bytes"),
              One(f.base(), [&](auto& in) { f.set(in, std::string(f.limit + 1, 'x')); }), f.path,
              absl::StrCat("is ", f.limit + 1, " bytes, over the limit of ", f.limit));
    field_row(absl::StrCat("control character in ", f.path),
              One(f.base(), [&](auto& in) { f.set(in, "bell\x07"); }), f.path, "holds U+0007");
    // Characters that spoof a terminal, a table or a spreadsheet: a C1
    // control, a bidirectional override and isolate, a line separator; a
    // line feed in any one-line field (multi-line text keeps it, below).
    const std::pair<const char*, const char*> spoofs[] = {{"next line (C1)",
                                                           "a\xC2\x85"
                                                           "b"},
                                                          {"right-to-left override",
                                                           "gro.\xE2\x80\xAE"
                                                           "live"},
                                                          {"first strong isolate",
                                                           "x\xE2\x81\xA8"
                                                           "y"},
                                                          {"line separator",
                                                           "x\xE2\x80\xA8"
                                                           "y"},
                                                          {"carriage return", "x\ry"},
                                                          {"escape", "x\x1b[2Jy"}};
    for (const auto& [what, text] : spoofs) {
      field_row(absl::StrCat(what, " in ", f.path),
                One(f.base(), [&](auto& in) { f.set(in, text); }), f.path, "holds U+");
    }
    if (f.limit != kMaxMemoLength) {
      field_row(absl::StrCat("line feed in one-line ", f.path),
                One(f.base(), [&](auto& in) { f.set(in, "fake\n#9  2026-01-01  donation"); }),
                f.path, "holds U+000A");
    }
  }
  field_row("required display_name empty",
            One(Registered(),
                [](auto& in) {
                  in.mutable_body()->mutable_beneficiary_registered()->clear_display_name();
                }),
            "body.beneficiary_registered.display_name", "is required");
  field_row("required disbursement purpose empty",
            One(Disbursed(),
                [](auto& in) { in.mutable_body()->mutable_disbursement_made()->clear_purpose(); }),
            "body.disbursement_made.purpose", "is required");
  field_row("update that changes nothing",
            One(Updated(),
                [](auto& in) {
                  in.mutable_body()->mutable_beneficiary_updated()->clear_display_name();
                  in.mutable_body()->mutable_beneficiary_updated()->clear_purpose();
                }),
            "body.beneficiary_updated", "changes nothing");
  field_row("anonymous donation with donor_ref",
            One(Donated(),
                [](auto& in) {
                  in.mutable_body()->mutable_donation_received()->set_donor_kind(
                      v1::DONOR_KIND_ANONYMOUS);
                }),
            "body.donation_received.donor_ref", "must be empty for an anonymous donation");

  // ---- enums: unknown values and UNSPECIFIED
  for (int value : {0, 99, -1}) {
    field_row(absl::StrCat("donor_kind ", value),
              One(Donated(),
                  [&](auto& in) {
                    in.mutable_body()->mutable_donation_received()->set_donor_kind(
                        static_cast<v1::DonorKind>(value));
                  }),
              "body.donation_received.donor_kind", "must be individual, branch");
    field_row(absl::StrCat("reversal kind ", value),
              One(Reversed(),
                  [&](auto& in) {
                    in.mutable_body()->mutable_event_reversed()->set_kind(
                        static_cast<v1::ReversalKind>(value));
                  }),
              "body.event_reversed.kind", "must be refund, correction");
    field_row(absl::StrCat("fee period ", value),
              One(Affiliated(),
                  [&](auto& in) {
                    in.mutable_body()->mutable_branch_affiliated()->mutable_fee_basis()->set_period(
                        static_cast<v1::FeePeriod>(value));
                  }),
              "body.branch_affiliated.fee_basis.period", "must be monthly, quarterly or annual");
  }

  // ---- missing oneofs and messages
  field_row("no body", One(Donated(), [](auto& in) { in.clear_body(); }), "body", "is required");
  field_row("empty body", One(Donated(), [](auto& in) { in.mutable_body()->Clear(); }), "body",
            "has no event kind");
  field_row(
      "fee basis without fixed or per_member",
      One(Affiliated(),
          [](auto& in) {
            in.mutable_body()->mutable_branch_affiliated()->mutable_fee_basis()->clear_fixed();
          }),
      "body.branch_affiliated.fee_basis", "needs a fixed fee or a per-member fee");
  field_row(
      "no fee basis",
      One(Affiliated(),
          [](auto& in) { in.mutable_body()->mutable_branch_affiliated()->clear_fee_basis(); }),
      "body.branch_affiliated.fee_basis", "is required");
  field_row("donation without amount",
            One(Donated(),
                [](auto& in) { in.mutable_body()->mutable_donation_received()->clear_amount(); }),
            "body.donation_received.amount", "is required");

  // ---- amounts at the int64 limits, zero, negative, one over the limit
  const struct {
    const char* label;
    int64_t minor;
    const char* problem;
  } amounts[] = {
      {"INT64_MAX", kInt64Max, "is over the limit of 1000000000000000 minor units"},
      {"INT64_MIN", kInt64Min, "must be positive"},
      {"0", 0, "must be positive"},
      {"-1", -1, "must be positive"},
      {"limit+1", kMaxAmountMinor + 1, "is over the limit of 1000000000000000 minor units"},
  };
  for (const MoneyField& f : MoneyFields()) {
    for (const auto& a : amounts) {
      // A reversal's amount 0 in GBP is refused too (0 with no currency
      // means "the whole amount").
      field_row(absl::StrCat(f.path, " ", a.label),
                One(f.base(), [&](auto& in) { *f.money(in) = Gbp(a.minor); }),
                absl::StrCat(f.path, ".amount_minor"), a.problem);
    }
    field_row(absl::StrCat(f.path, " unknown currency"),
              One(f.base(), [&](auto& in) { *f.money(in) = Of(100, "ABC"); }),
              absl::StrCat(f.path, ".currency"), "is not a known ISO 4217 currency");
    field_row(absl::StrCat(f.path, " lower-case currency"),
              One(f.base(), [&](auto& in) { *f.money(in) = Of(100, "gbp"); }),
              absl::StrCat(f.path, ".currency"), "is not a known ISO 4217 currency");
    field_row(absl::StrCat(f.path, " no currency"),
              One(f.base(), [&](auto& in) { *f.money(in) = Of(100, ""); }),
              absl::StrCat(f.path, ".currency"), "is required");
  }
  for (int64_t minimum : {int64_t{-1}, kMaxAmountMinor + 1, kInt64Min}) {
    field_row(absl::StrCat("per-member minimum ", minimum),
              One(PerMemberAffiliated(),
                  [&](auto& in) {
                    in.mutable_body()
                        ->mutable_branch_affiliated()
                        ->mutable_fee_basis()
                        ->mutable_per_member()
                        ->mutable_minimum()
                        ->set_amount_minor(minimum);
                  }),
              "body.branch_affiliated.fee_basis.per_member.minimum.amount_minor",
              "must be between 0 and the amount limit");
  }
  field_row("per-member minimum in another currency",
            One(PerMemberAffiliated(),
                [](auto& in) {
                  *in.mutable_body()
                       ->mutable_branch_affiliated()
                       ->mutable_fee_basis()
                       ->mutable_per_member()
                       ->mutable_minimum() = Of(500, "EUR");
                }),
            "body.branch_affiliated.fee_basis.per_member.minimum.currency",
            "must be the currency of fee_per_member");

  // ---- members and periods
  for (int64_t members : {int64_t{-1}, kMaxMembers + 1, kInt64Max, kInt64Min}) {
    field_row(absl::StrCat("members ", members),
              One(Affiliated(),
                  [&](auto& in) {
                    in.mutable_body()->mutable_branch_affiliated()->set_members(members);
                  }),
              "body.branch_affiliated.members", "must be between 0 and 10000000");
  }
  field_row("per-member fee that overflows per period",
            One(PerMemberAffiliated(),
                [](auto& in) {
                  auto* e = in.mutable_body()->mutable_branch_affiliated();
                  e->set_members(kMaxMembers);
                  *e->mutable_fee_basis()->mutable_per_member()->mutable_fee_per_member() =
                      Gbp(kMaxAmountMinor);
                }),
            "body.branch_affiliated.fee_basis", "fee per period overflows");
  for (int periods : {0, 121, -1, std::numeric_limits<int32_t>::max()}) {
    field_row(absl::StrCat("periods ", periods),
              One(FeePaid(),
                  [&](auto& in) {
                    in.mutable_body()->mutable_affiliation_fee_paid()->set_periods(periods);
                  }),
              "body.affiliation_fee_paid.periods", "must be between 1 and 120");
  }

  // ---- dates
  for (const char* date : {"2026-02-29", "1899-12-31", "3000-01-01", "2026-02-30", "2026-13-01",
                           "2026-00-10", "2026-3-1", "01/03/2026", "2026-03-01T00:00"}) {
    field_row(absl::StrCat("occurred_on ", date),
              One(Donated(), [&](auto& in) { in.set_occurred_on(date); }), "occurred_on",
              "is not a real day written YYYY-MM-DD");
  }
  field_row("no occurred_on", One(Donated(), [](auto& in) { in.clear_occurred_on(); }),
            "occurred_on", "is required");

  // ---- genesis from a client
  field_row("ledger_opened from a client",
            One(Donated(),
                [](auto& in) {
                  auto* e = in.mutable_body()->mutable_ledger_opened();
                  e->set_ledger_id(std::string(32, 'a'));
                  e->set_name("Forged");
                }),
            "body.ledger_opened", "is written by the server");
  return rows;
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(server_.Start(), testing::IsOk()); }

  // Checks one refused row: code, message, field, and that nothing moved.
  void ExpectRefused(const std::string& bytes, grpc::StatusCode code,
                     const std::string& message_part, const std::string& field) {
    const v1::Head before = server_.Head();
    grpc::Status s = server_.AppendBytes(bytes);
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    EXPECT_NE(s.error_message().find(message_part), std::string::npos)
        << "message: " << s.error_message() << "\nwanted: " << message_part;
    if (!field.empty()) {
      EXPECT_TRUE(absl::StartsWith(s.error_message(), absl::StrCat(field, ": ")))
          << "message: " << s.error_message() << "\nwanted the field first: " << field;
      std::optional<v1::ErrorDetail> detail = GetErrorDetail(FromGrpcStatus(s));
      ASSERT_TRUE(detail.has_value()) << "no ErrorDetail in the trailer";
      EXPECT_EQ(detail->field(), field);
      EXPECT_EQ(detail->reason(), kReasonInvalidField);
      // "events[i]..." names the refused event of the batch in the detail too.
      if (absl::StartsWith(field, "events[")) {
        EXPECT_EQ(absl::StrCat("events[", detail->event_index(), "]"),
                  field.substr(0, field.find(']') + 1));
      }
    }
    const v1::Head after = server_.Head();
    EXPECT_EQ(after.position(), before.position()) << "a refused append moved the head";
    EXPECT_EQ(after.hash(), before.hash());
  }

  testing::TestServer server_;
};

TEST_F(BadInputTest, EveryBadAppendIsRefusedNamingTheFieldAndWritesNothing) {
  // Set-up: a fund with money, an affiliated branch, a donation to reverse.
  {
    v1::AppendResponse r;
    v1::EventInput don = testing::Donation(Gbp(5000), "lawyer");
    don.set_event_id("seed-don");
    grpc::Status s = server_.Append(
        testing::Request({testing::Beneficiary("lawyer"), testing::Branch("leeds"), don}), &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // Each base event is valid as it stands (else the rows prove nothing): try
  // each with expected_head_position 0, which is always refused as
  // HEAD_MOVED after stage 1 passed.
  for (const auto& base :
       {Registered(), Updated(), Closed(), Affiliated(), PerMemberAffiliated(), Disaffiliated(),
        FeePaid(), Donated(), Allocated(), Disbursed(), Reversed()}) {
    v1::AppendRequest req = One(base, [](auto&) {});
    req.set_expected_head_position(0);
    v1::AppendResponse r;
    grpc::Status s = server_.Append(req, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED)
        << base.body().ShortDebugString() << ": " << s.error_message();
  }

  const std::vector<Row> rows = AppendRows();
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    std::string bytes;
    ASSERT_TRUE(row.request.SerializeToString(&bytes));
    ExpectRefused(bytes, row.code, row.message_part, row.field);
  }

  // Invalid UTF-8 in every text and id field. proto3 `string` fields must
  // hold UTF-8, so protobuf refuses the whole request; Append parses its own
  // bytes (a raw method) and names the field like any other refusal.
  for (const TextField& f : TextFields()) {
    SCOPED_TRACE(absl::StrCat("invalid UTF-8 in ", f.path));
    v1::AppendRequest req = One(f.base(), [&](auto& in) { f.set(in, kBadUtf8Marker); });
    std::string bytes;
    ASSERT_TRUE(req.SerializeToString(&bytes));
    const std::string bad(sizeof(kBadUtf8Marker) - 1, '\xff');
    ASSERT_NE(bytes.find(kBadUtf8Marker), std::string::npos);
    bytes = absl::StrReplaceAll(bytes, {{kBadUtf8Marker, bad}});
    ExpectRefused(bytes, grpc::StatusCode::INVALID_ARGUMENT, "is not valid UTF-8 text",
                  absl::StrCat("events[0].", f.path));
  }
  for (const IdField& f : IdFields()) {
    SCOPED_TRACE(absl::StrCat("invalid UTF-8 in ", f.path));
    v1::AppendRequest req = One(f.base(), [&](auto& in) { f.set(in, kBadUtf8Marker); });
    std::string bytes;
    ASSERT_TRUE(req.SerializeToString(&bytes));
    bytes = absl::StrReplaceAll(
        bytes, {{kBadUtf8Marker, std::string(sizeof(kBadUtf8Marker) - 1, '\xc3')}});
    ExpectRefused(bytes, grpc::StatusCode::INVALID_ARGUMENT, "is not valid UTF-8 text",
                  absl::StrCat("events[0].", f.path));
  }

  // Bytes that are no AppendRequest at all.
  {
    SCOPED_TRACE("garbage bytes");
    ExpectRefused(std::string("\xff\xff\xff\xff\x0f", 5), grpc::StatusCode::INVALID_ARGUMENT,
                  "is not a well-formed solidarity.ledger.v1.AppendRequest", "");
  }

  // Nothing refused left a trace: the chain verifies and a rebuild matches.
  grpc::ClientContext vctx;
  v1::VerifyChainResponse verify;
  ASSERT_TRUE(server_.audit().VerifyChain(&vctx, v1::VerifyChainRequest(), &verify).ok());
  EXPECT_TRUE(verify.ok()) << verify.problem();
  EXPECT_EQ(verify.events_checked(), 4u);
  grpc::ClientContext rctx;
  v1::RebuildProjectionsResponse rebuild;
  ASSERT_TRUE(
      server_.audit().RebuildProjections(&rctx, v1::RebuildProjectionsRequest(), &rebuild).ok());
  EXPECT_TRUE(rebuild.match()) << rebuild.ShortDebugString();
}

TEST_F(BadInputTest, MultiLineTextKeepsLineFeedsAndTabs) {
  // Purposes, reasons and memos may run over several lines (every output
  // escapes the line feed); they pass stage 1, which ABORTED by a stale
  // expected_head_position proves without needing the state they refer to.
  int checked = 0;
  for (const TextField& f : TextFields()) {
    if (f.limit != kMaxMemoLength) continue;
    SCOPED_TRACE(f.path);
    v1::AppendRequest req = One(f.base(), [&](auto& in) { f.set(in, "line one\n\tline two"); });
    req.set_expected_head_position(0);
    v1::AppendResponse r;
    grpc::Status s = server_.Append(req, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << s.error_message();
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

TEST_F(BadInputTest, UnknownFieldsAnywhereAreRefusedNamingTheMessage) {
  // Unknown fields would be stored and hashed with the event, slip past the
  // text checks and reach every reader. At every depth of an Append, and in
  // query requests, they are refused naming the message that carries them.
  struct Row {
    std::string where;  // the path reported ("" = the request itself)
    std::function<google::protobuf::Message*(v1::AppendRequest&)> target;
  };
  const std::vector<Row> rows = {
      {"", [](v1::AppendRequest& r) -> google::protobuf::Message* { return &r; }},
      {"events[0]",
       [](v1::AppendRequest& r) -> google::protobuf::Message* { return r.mutable_events(0); }},
      {"events[0].body",
       [](v1::AppendRequest& r) -> google::protobuf::Message* {
         return r.mutable_events(0)->mutable_body();
       }},
      {"events[0].body.donation_received",
       [](v1::AppendRequest& r) -> google::protobuf::Message* {
         return r.mutable_events(0)->mutable_body()->mutable_donation_received();
       }},
      {"events[0].body.donation_received.amount",
       [](v1::AppendRequest& r) -> google::protobuf::Message* {
         return r.mutable_events(0)->mutable_body()->mutable_donation_received()->mutable_amount();
       }},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.where.empty() ? "the request" : row.where);
    const v1::Head before = server_.Head();
    v1::AppendRequest req = One(Donated(), [](auto&) {});
    google::protobuf::Message* m = row.target(req);
    m->GetReflection()->MutableUnknownFields(m)->AddLengthDelimited(99, "\x1b[2J hidden payload");
    std::string bytes;
    ASSERT_TRUE(req.SerializeToString(&bytes));
    grpc::Status s = server_.AppendBytes(bytes);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "has field number 99")) << s.error_message();
    std::optional<v1::ErrorDetail> detail = GetErrorDetail(FromGrpcStatus(s));
    ASSERT_TRUE(detail.has_value());
    EXPECT_EQ(detail->reason(), kReasonUnknownField);
    EXPECT_EQ(detail->field(), row.where);
    EXPECT_EQ(server_.Head().position(), before.position());
  }
  // A query request with an unknown field (tag 15, varint).
  v1::GetSummaryRequest summary;
  std::string bytes = summary.SerializeAsString() + std::string("\x78\x01", 2);
  grpc::Status s = server_.CallBytes("/solidarity.ledger.v1.LedgerQueries/GetSummary", bytes);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  std::optional<v1::ErrorDetail> detail = GetErrorDetail(FromGrpcStatus(s));
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->reason(), kReasonUnknownField);
}

TEST_F(BadInputTest, EveryLimitIsInclusive) {
  // The rows above are one past each limit; exactly at it is accepted.
  v1::AppendRequest req;
  int n = 0;
  for (const TextField& f : TextFields()) {
    v1::EventInput in = f.base();
    f.set(in, std::string(f.limit, 'x'));
    in.set_event_id(
        absl::StrCat("at-limit-", n++, std::string(kMaxIdLength, 'x')).substr(0, kMaxIdLength));
    // Each kind's ids are made unique so the events do not collide.
    if (in.body().has_beneficiary_registered()) {
      in.mutable_body()->mutable_beneficiary_registered()->set_beneficiary_id(
          absl::StrCat("fund-", n));
    }
    if (in.body().has_branch_affiliated()) {
      in.mutable_body()->mutable_branch_affiliated()->set_branch_id(absl::StrCat("branch-", n));
    }
    *req.add_events() = in;
  }
  // Closing, disaffiliating and reversing need state; they are checked
  // through stage 1 only (ABORTED by expected_head_position proves it passed).
  v1::AppendRequest stage1_only;
  v1::AppendRequest accepted;
  for (const auto& in : req.events()) {
    const bool needs_state = in.body().has_beneficiary_closed() ||
                             in.body().has_branch_disaffiliated() ||
                             in.body().has_affiliation_fee_paid() ||
                             in.body().has_funds_allocated() || in.body().has_disbursement_made() ||
                             in.body().has_event_reversed() || in.body().has_beneficiary_updated();
    *(needs_state ? stage1_only.add_events() : accepted.add_events()) = in;
  }
  {
    // The other limits at their edge: 120 periods, 10^7 members, the largest
    // amount, a 1900 and a 2999 date.
    v1::EventInput fee = FeePaid();
    fee.mutable_body()->mutable_affiliation_fee_paid()->set_periods(kMaxFeePeriodsPerPayment);
    fee.set_occurred_on("1900-01-01");
    *stage1_only.add_events() = fee;
    v1::EventInput aff = PerMemberAffiliated();
    aff.mutable_body()->mutable_branch_affiliated()->set_members(kMaxMembers);
    aff.set_occurred_on("2999-12-31");
    *stage1_only.add_events() = aff;
    v1::EventInput rev = Reversed();
    *rev.mutable_body()->mutable_event_reversed()->mutable_amount() = Gbp(kMaxAmountMinor);
    *stage1_only.add_events() = rev;
  }
  stage1_only.set_expected_head_position(0);
  {
    v1::AppendResponse r;
    grpc::Status s = server_.Append(stage1_only, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << s.error_message();
  }
  {
    v1::AppendResponse r;
    grpc::Status s = server_.Append(accepted, &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(r.head().position(), 1u + accepted.events_size());
  }
  // Exactly 1000 events in one append, one of them the largest amount.
  {
    v1::AppendRequest batch;
    for (size_t i = 0; i < kMaxEventsPerAppend; ++i) {
      v1::EventInput in = Donated();
      in.set_event_id(absl::StrCat("max-", i));
      if (i == 0)
        *in.mutable_body()->mutable_donation_received()->mutable_amount() = Gbp(kMaxAmountMinor);
      *batch.add_events() = in;
    }
    v1::AppendResponse r;
    grpc::Status s = server_.Append(batch, &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
}

// Calls `call` with a 10 s deadline and expects `code` and a message that
// holds `message_part`; returns the answer.
grpc::Status CallExpecting(const std::function<grpc::Status(grpc::ClientContext*)>& call,
                           grpc::StatusCode code, const std::string& message_part) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::Status s = call(&ctx);
  EXPECT_EQ(s.error_code(), code) << s.error_message();
  EXPECT_NE(s.error_message().find(message_part), std::string::npos)
      << "message: " << s.error_message() << "\nwanted: " << message_part;
  return s;
}

// Query-side bad input: ids, missing keys, reversed ranges.
TEST_F(BadInputTest, BadQueriesAreRefused) {
  struct QueryRow {
    std::string name;
    std::function<grpc::Status(grpc::ClientContext*)> call;
    grpc::StatusCode code;
    std::string message_part;
  };
  auto beneficiary = [this](std::string id) {
    return [this, id](grpc::ClientContext* ctx) {
      v1::GetBeneficiaryRequest req;
      req.set_beneficiary_id(id);
      v1::GetBeneficiaryResponse r;
      return server_.queries().GetBeneficiary(ctx, req, &r);
    };
  };
  auto branch = [this](std::string id) {
    return [this, id](grpc::ClientContext* ctx) {
      v1::GetBranchRequest req;
      req.set_branch_id(id);
      v1::GetBranchResponse r;
      return server_.queries().GetBranch(ctx, req, &r);
    };
  };
  auto event = [this](std::function<void(v1::GetEventRequest&)> edit) {
    return [this, edit](grpc::ClientContext* ctx) {
      v1::GetEventRequest req;
      edit(req);
      v1::GetEventResponse r;
      return server_.audit().GetEvent(ctx, req, &r);
    };
  };
  auto verify = [this](uint64_t from, uint64_t to) {
    return [this, from, to](grpc::ClientContext* ctx) {
      v1::VerifyChainRequest req;
      req.set_from_position(from);
      req.set_to_position(to);
      v1::VerifyChainResponse r;
      return server_.audit().VerifyChain(ctx, req, &r);
    };
  };
  using grpc::StatusCode;
  const std::vector<QueryRow> rows = {
      {"GetBeneficiary upper case", beneficiary("Lawyer"), StatusCode::INVALID_ARGUMENT,
       "beneficiary_id: \"Lawyer\" is not a valid id"},
      {"GetBeneficiary empty", beneficiary(""), StatusCode::INVALID_ARGUMENT, "beneficiary_id"},
      {"GetBeneficiary 65 chars", beneficiary(std::string(kMaxIdLength + 1, 'a')),
       StatusCode::INVALID_ARGUMENT, "beneficiary_id"},
      {"GetBeneficiary slash", beneficiary("lawyer/x"), StatusCode::INVALID_ARGUMENT,
       "beneficiary_id"},
      {"GetBeneficiary unknown", beneficiary("nobody"), StatusCode::NOT_FOUND, "no beneficiary"},
      {"GetBranch bad id", branch("Leeds Health"), StatusCode::INVALID_ARGUMENT, "branch_id"},
      {"GetBranch empty", branch(""), StatusCode::INVALID_ARGUMENT, "branch_id"},
      {"GetEvent no key", event([](auto&) {}), StatusCode::INVALID_ARGUMENT,
       "key: give a position or an event_id"},
      {"GetEvent position 0", event([](auto& r) { r.set_position(0); }),
       StatusCode::INVALID_ARGUMENT, "position: must be 1 or more"},
      {"GetEvent bad event_id", event([](auto& r) { r.set_event_id("Not An Id"); }),
       StatusCode::INVALID_ARGUMENT, "event_id"},
      {"GetEvent empty event_id", event([](auto& r) { r.set_event_id(""); }),
       StatusCode::INVALID_ARGUMENT, "event_id"},
      {"GetEvent beyond the head", event([](auto& r) { r.set_position(UINT64_MAX); }),
       StatusCode::NOT_FOUND, "no event at position"},
      {"VerifyChain from > to", verify(5, 2), StatusCode::INVALID_ARGUMENT,
       "from_position is after to_position"},
      {"VerifyChain from > to at the top", verify(UINT64_MAX, 1), StatusCode::INVALID_ARGUMENT,
       "from_position is after to_position"},
  };
  for (const QueryRow& row : rows) {
    SCOPED_TRACE(row.name);
    CallExpecting(row.call, row.code, row.message_part);
  }

  // Text that is not UTF-8 is refused naming the field, on every method
  // whose request carries text.
  struct Utf8Row {
    const char* method;
    std::string bytes;
    const char* field;
  };
  const std::string bad3("\xff\xfe\xfd", 3);
  const std::string as_of_date = "\x12\x03" + bad3;  // AsOf.end_of_date (2)
  const std::string range_from = "\x0a\x03" + bad3;  // DateRange.from_date (1)
  const std::vector<Utf8Row> utf8_rows = {
      {"/solidarity.ledger.v1.LedgerQueries/GetBeneficiary", "\x0a\x03" + bad3, "beneficiary_id"},
      {"/solidarity.ledger.v1.LedgerQueries/GetBranch", "\x0a\x03" + bad3, "branch_id"},
      {"/solidarity.ledger.v1.LedgerQueries/GetSummary", "\x0a\x05" + as_of_date,
       "as_of.end_of_date"},
      {"/solidarity.ledger.v1.LedgerQueries/GetFundStatement", "\x0a\x03" + bad3, "fund"},
      {"/solidarity.ledger.v1.LedgerQueries/GetIncomeStatement", "\x0a\x05" + range_from,
       "range.from_date"},
      {"/solidarity.ledger.v1.LedgerAudit/GetEvent", "\x12\x03" + bad3, "event_id"},
      {"/solidarity.ledger.v1.LedgerAudit/GetInclusionProof", "\x22\x03" + bad3, "event_id"},
      {"/solidarity.ledger.v1.LedgerAudit/AddCosignature", "\x0a\x03" + bad3,
       "cosigned_checkpoint"},
      {"/solidarity.ledger.v1.LedgerAdmin/CreateBackup", "\x0a\x03" + bad3, "backup_dir"},
      {"/solidarity.ledger.v1.LedgerAdmin/CreateBackup", "\x12\x03" + bad3, "name"},
  };
  for (const Utf8Row& row : utf8_rows) {
    SCOPED_TRACE(absl::StrCat("invalid UTF-8 to ", row.method));
    grpc::Status s = server_.CallBytes(row.method, row.bytes);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_EQ(s.error_message(), absl::StrCat(row.field, ": is not valid UTF-8 text"));
    std::optional<v1::ErrorDetail> detail = GetErrorDetail(FromGrpcStatus(s));
    ASSERT_TRUE(detail.has_value());
    EXPECT_EQ(detail->field(), row.field);
  }

  // Bytes that are no message at all, to every unary method: INVALID_ARGUMENT
  // saying so (not gRPC's INTERNAL or UNIMPLEMENTED with no message).
  const std::string garbage("\xff\xff\xff\xff\x0f", 5);
  for (const char* method : {
           "/solidarity.ledger.v1.LedgerQueries/GetSummary",
           "/solidarity.ledger.v1.LedgerQueries/ListBeneficiaries",
           "/solidarity.ledger.v1.LedgerQueries/GetBeneficiary",
           "/solidarity.ledger.v1.LedgerQueries/ListBranches",
           "/solidarity.ledger.v1.LedgerQueries/GetBranch",
           "/solidarity.ledger.v1.LedgerQueries/GetTrialBalance",
           "/solidarity.ledger.v1.LedgerQueries/GetFundStatement",
           "/solidarity.ledger.v1.LedgerQueries/GetBranchStatement",
           "/solidarity.ledger.v1.LedgerQueries/GetIncomeStatement",
           "/solidarity.ledger.v1.LedgerAudit/GetHead",
           "/solidarity.ledger.v1.LedgerAudit/ReadEvents",
           "/solidarity.ledger.v1.LedgerAudit/GetEvent",
           "/solidarity.ledger.v1.LedgerAudit/VerifyChain",
           "/solidarity.ledger.v1.LedgerAudit/RebuildProjections",
           "/solidarity.ledger.v1.LedgerAudit/GetCheckpoint",
           "/solidarity.ledger.v1.LedgerAudit/GetInclusionProof",
           "/solidarity.ledger.v1.LedgerAudit/GetConsistencyProof",
           "/solidarity.ledger.v1.LedgerAudit/AddCosignature",
           "/solidarity.ledger.v1.LedgerAdmin/CreateBackup",
       }) {
    SCOPED_TRACE(absl::StrCat("garbage bytes to ", method));
    grpc::Status s = server_.CallBytes(method, garbage);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "is not a well-formed solidarity.ledger.v1."))
        << s.error_message();
    std::optional<v1::ErrorDetail> detail = GetErrorDetail(FromGrpcStatus(s));
    ASSERT_TRUE(detail.has_value());
    EXPECT_EQ(detail->reason(), kReasonMalformedRequest);
  }
}

// ------------------------------------------------------------------ the verifiable log

// One row of a refused call: the code, a part of the message, the reason.
struct ProofRow {
  std::string name;
  std::function<grpc::Status(grpc::ClientContext*)> call;
  grpc::StatusCode code;
  std::string message_part;
  std::string reason;
};

void ExpectRows(const std::vector<ProofRow>& rows) {
  for (const ProofRow& row : rows) {
    SCOPED_TRACE(row.name);
    const grpc::Status s = CallExpecting(row.call, row.code, row.message_part);
    std::optional<v1::ErrorDetail> detail = GetErrorDetail(FromGrpcStatus(s));
    ASSERT_TRUE(detail.has_value()) << "no ErrorDetail in the trailer";
    EXPECT_EQ(detail->reason(), row.reason);
  }
}

// A ledger with a checkpoint signer (a long interval: the checkpoint signed
// at start stays the latest) and one configured witness.
class BadProofInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(ledger_.Open(server_.Founded()), testing::IsOk());
    ASSERT_THAT(ledger_.log().Append(
                    testing::Request({testing::WithId(testing::Donation(Gbp(100)), "don-1"),
                                      testing::WithId(testing::Donation(Gbp(200)), "don-2")})),
                testing::IsOk());
    auto witness = merkle::Ed25519PrivateKey::Generate();
    auto stranger = merkle::Ed25519PrivateKey::Generate();
    auto key = merkle::Ed25519PrivateKey::Generate();
    ASSERT_TRUE(witness.ok() && stranger.ok() && key.ok());
    witness_.emplace(*witness);
    stranger_.emplace(*stranger);
    CheckpointerOptions options;
    options.interval = absl::Hours(1);
    options.witnesses.push_back({"w1.example", merkle::kTypeCosignatureV1, witness_->public_key()});
    auto signer = Checkpointer::Start(&ledger_.log(), *key, options);
    ASSERT_THAT(signer, testing::IsOk());
    signer_ = std::move(*signer);
    server_.server_options().checkpointer = signer_.get();
    ASSERT_THAT(server_.Serve(ledger_.log()), testing::IsOk());
    // An event after the latest checkpoint.
    ASSERT_THAT(ledger_.log().Append(testing::Request(
                    {testing::WithId(testing::Donation(Gbp(300)), "after-checkpoint")})),
                testing::IsOk());
  }

  v1::GetCheckpointResponse Latest() {
    grpc::ClientContext ctx;
    v1::GetCheckpointResponse r;
    grpc::Status s = server_.audit().GetCheckpoint(&ctx, v1::GetCheckpointRequest(), &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }

  std::function<grpc::Status(grpc::ClientContext*)> Inclusion(
      std::function<void(v1::GetInclusionProofRequest&)> edit) {
    return [this, edit](grpc::ClientContext* ctx) {
      v1::GetInclusionProofRequest req;
      edit(req);
      v1::GetInclusionProofResponse r;
      return server_.audit().GetInclusionProof(ctx, req, &r);
    };
  }
  std::function<grpc::Status(grpc::ClientContext*)> Consistency(uint64_t old_size,
                                                                uint64_t new_size) {
    return [this, old_size, new_size](grpc::ClientContext* ctx) {
      v1::GetConsistencyProofRequest req;
      req.set_old_size(old_size);
      req.set_new_size(new_size);
      v1::GetConsistencyProofResponse r;
      return server_.audit().GetConsistencyProof(ctx, req, &r);
    };
  }
  std::function<grpc::Status(grpc::ClientContext*)> Cosign(std::string note) {
    return [this, note](grpc::ClientContext* ctx) {
      v1::AddCosignatureRequest req;
      req.set_cosigned_checkpoint(note);
      v1::AddCosignatureResponse r;
      return server_.audit().AddCosignature(ctx, req, &r);
    };
  }
  // `text` cosigned by `key` named `name` at `when`, as a note.
  static std::string Cosigned(const std::string& text, const merkle::Ed25519PrivateKey& key,
                              const std::string& name, int64_t when) {
    merkle::SignedNote n{text, {merkle::Cosign(text, static_cast<uint64_t>(when), name, key)}};
    return n.Format();
  }

  testing::TempLedger ledger_;
  std::optional<merkle::Ed25519PrivateKey> witness_, stranger_;
  std::unique_ptr<Checkpointer> signer_;
  testing::TestServer server_;
};

TEST_F(BadProofInputTest, BadProofRequestsAreRefusedWithTheirReason) {
  using grpc::StatusCode;
  const uint64_t checkpointed = Latest().checkpoint().tree_size();
  ASSERT_EQ(checkpointed, 3u);
  const v1::Head before = server_.Head();
  ASSERT_EQ(before.position(), 4u);
  ExpectRows({
      {"GetCheckpoint of a size never signed",
       [this](grpc::ClientContext* ctx) {
         v1::GetCheckpointRequest req;
         req.set_tree_size(2);
         v1::GetCheckpointResponse r;
         return server_.audit().GetCheckpoint(ctx, req, &r);
       },
       StatusCode::NOT_FOUND, "tree_size: this ledger keeps no checkpoint of size 2",
       kReasonUnknownCheckpoint},
      {"inclusion: no key", Inclusion([](auto&) {}), StatusCode::INVALID_ARGUMENT,
       "key: give a position or an event_id", kReasonInvalidField},
      {"inclusion: position 0", Inclusion([](auto& r) { r.set_position(0); }),
       StatusCode::INVALID_ARGUMENT, "position: must be 1 or more", kReasonInvalidField},
      {"inclusion: bad event id", Inclusion([](auto& r) { r.set_event_id("Not An Id"); }),
       StatusCode::INVALID_ARGUMENT, "event_id: \"Not An Id\" is not a valid id",
       kReasonInvalidField},
      {"inclusion: unknown event id", Inclusion([](auto& r) { r.set_event_id("nobody"); }),
       StatusCode::NOT_FOUND, "event_id: no event \"nobody\"", kReasonUnknownEvent},
      {"inclusion: position beyond the head", Inclusion([](auto& r) { r.set_position(99); }),
       StatusCode::NOT_FOUND, "position: no event at position 99", kReasonUnknownEvent},
      {"inclusion: tree size beyond the head", Inclusion([](auto& r) {
         r.set_position(1);
         r.set_tree_size(5);
       }),
       StatusCode::OUT_OF_RANGE, "tree_size: the tree has 4 leaves; it has no size 5",
       kReasonTreeSizeBeyondHead},
      {"inclusion: tree size below the position", Inclusion([](auto& r) {
         r.set_position(3);
         r.set_tree_size(2);
       }),
       StatusCode::INVALID_ARGUMENT, "tree_size: is 2, smaller than the position (3)",
       kReasonInvalidField},
      {"inclusion: an event newer than the latest checkpoint",
       Inclusion([](auto& r) { r.set_event_id("after-checkpoint"); }),
       StatusCode::FAILED_PRECONDITION, "is newer than the latest checkpoint (3 events)",
       kReasonNotInCheckpoint},
      {"consistency: old size 0", Consistency(0, 3), StatusCode::INVALID_ARGUMENT,
       "old_size: must be 1 or more", kReasonInvalidField},
      {"consistency: old after new", Consistency(3, 2), StatusCode::INVALID_ARGUMENT,
       "old_size: is 3, larger than new_size (2)", kReasonInvalidField},
      {"consistency: new size beyond the head", Consistency(1, UINT64_MAX),
       StatusCode::OUT_OF_RANGE, "new_size: the tree has 4 leaves", kReasonTreeSizeBeyondHead},
      {"consistency: old size beyond the latest checkpoint", Consistency(4, 0),
       StatusCode::INVALID_ARGUMENT, "old_size: is 4, larger than the latest checkpoint's size (3)",
       kReasonInvalidField},
  });
  // Nothing moved, and every good request of the same kinds is answered.
  EXPECT_EQ(server_.Head().position(), before.position());
  for (const auto& good :
       {Inclusion([](auto& r) { r.set_event_id("don-1"); }), Inclusion([](auto& r) {
          r.set_position(4);
          r.set_tree_size(4);
        }),
        Consistency(1, 0), Consistency(3, 4)}) {
    grpc::ClientContext ctx;
    EXPECT_TRUE(good(&ctx).ok());
  }
}

TEST_F(BadProofInputTest, BadCosignaturesAreRefusedAndKeepNothing) {
  using grpc::StatusCode;
  const v1::GetCheckpointResponse latest = Latest();
  const std::string text =
      latest.checkpoint().note().substr(0, latest.checkpoint().note().find("\n\n") + 1);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  auto forged_text = [&](uint64_t size, const std::string& root, const std::string& origin) {
    return merkle::Checkpoint{origin, size, root}.Text();
  };
  std::string good = Cosigned(text, *witness_, "w1.example", now);
  std::string tampered = good;
  // The timestamp's last byte is the 8th of the signature: re-encode it.
  {
    auto parsed = merkle::ParseNote(good);
    ASSERT_TRUE(parsed.ok());
    parsed->signatures[0].signature[7] ^= 1;
    tampered = parsed->Format();
  }
  ExpectRows({
      {"empty", Cosign(""), StatusCode::INVALID_ARGUMENT, "cosigned_checkpoint: is empty",
       kReasonInvalidField},
      {"not a note", Cosign("hello\n"), StatusCode::INVALID_ARGUMENT,
       "cosigned_checkpoint: the note has no blank line", kReasonInvalidField},
      {"over the size limit", Cosign(std::string(merkle::kMaxNoteBytes + 1, 'a')),
       StatusCode::INVALID_ARGUMENT, "cosigned_checkpoint: the note is", kReasonInvalidField},
      {"another log's checkpoint",
       Cosign(Cosigned(forged_text(3, latest.checkpoint().root_hash(), "other.example/log"),
                       *witness_, "w1.example", now)),
       StatusCode::INVALID_ARGUMENT, "is a checkpoint of \"other.example/log\"",
       kReasonInvalidField},
      {"a size this ledger keeps no checkpoint of",
       Cosign(Cosigned(forged_text(2, latest.checkpoint().root_hash(), signer_->origin()),
                       *witness_, "w1.example", now)),
       StatusCode::NOT_FOUND, "keeps no checkpoint of size 2", kReasonUnknownCheckpoint},
      {"the right size with another root",
       Cosign(Cosigned(forged_text(3, std::string(32, 'x'), signer_->origin()), *witness_,
                       "w1.example", now)),
       StatusCode::INVALID_ARGUMENT, "is not the checkpoint this ledger signed at size 3",
       kReasonUnknownCheckpoint},
      {"the ledger's own signature only", Cosign(latest.checkpoint().note()),
       StatusCode::PERMISSION_DENIED, "carries no cosignature of a witness this ledger accepts",
       kReasonUnknownWitness},
      {"a witness nobody configured", Cosign(Cosigned(text, *stranger_, "w9.example", now)),
       StatusCode::PERMISSION_DENIED, "carries no cosignature of a witness", kReasonUnknownWitness},
      {"a configured name with another key", Cosign(Cosigned(text, *stranger_, "w1.example", now)),
       StatusCode::PERMISSION_DENIED, "carries no cosignature of a witness", kReasonUnknownWitness},
      {"a cosignature that does not verify", Cosign(tampered), StatusCode::INVALID_ARGUMENT,
       "the cosignature of w1.example does not verify", kReasonBadCosignature},
      {"dated an hour ahead", Cosign(Cosigned(text, *witness_, "w1.example", now + 3600)),
       StatusCode::INVALID_ARGUMENT, "seconds in the future", kReasonBadCosignature},
  });
  EXPECT_EQ(Latest().checkpoint().cosignatures_size(), 0) << "a refused cosignature was kept";
  EXPECT_FALSE(Latest().has_latest_cosigned());
  // The control: the good one is kept.
  grpc::ClientContext ctx;
  ASSERT_TRUE(Cosign(good)(&ctx).ok());
  EXPECT_EQ(Latest().checkpoint().cosignatures_size(), 1);
  EXPECT_EQ(Latest().latest_cosigned().cosignatures(0).witness(), "w1.example");
}

TEST(BadProofInputWithoutSignerTest, AskingForCheckpointsOfALedgerThatSignsNoneIsRefused) {
  testing::TestServer server;
  ASSERT_THAT(server.Start(), testing::IsOk());
  using grpc::StatusCode;
  ExpectRows({
      {"GetCheckpoint",
       [&](grpc::ClientContext* ctx) {
         v1::GetCheckpointResponse r;
         return server.audit().GetCheckpoint(ctx, v1::GetCheckpointRequest(), &r);
       },
       StatusCode::FAILED_PRECONDITION, "signs no checkpoints", kReasonNoCheckpoint},
      {"AddCosignature",
       [&](grpc::ClientContext* ctx) {
         v1::AddCosignatureRequest req;
         req.set_cosigned_checkpoint("a\n1\nAAAA\n\n");
         v1::AddCosignatureResponse r;
         return server.audit().AddCosignature(ctx, req, &r);
       },
       StatusCode::FAILED_PRECONDITION, "signs no checkpoints", kReasonNoCheckpoint},
      {"inclusion in the latest checkpoint",
       [&](grpc::ClientContext* ctx) {
         v1::GetInclusionProofRequest req;
         req.set_position(1);
         v1::GetInclusionProofResponse r;
         return server.audit().GetInclusionProof(ctx, req, &r);
       },
       StatusCode::FAILED_PRECONDITION, "tree_size is 0 (the latest checkpoint's size)",
       kReasonNoCheckpoint},
      {"consistency with the latest checkpoint",
       [&](grpc::ClientContext* ctx) {
         v1::GetConsistencyProofRequest req;
         req.set_old_size(1);
         v1::GetConsistencyProofResponse r;
         return server.audit().GetConsistencyProof(ctx, req, &r);
       },
       StatusCode::FAILED_PRECONDITION, "new_size is 0", kReasonNoCheckpoint},
  });
  // Proofs of explicit sizes need no signer.
  grpc::ClientContext ctx;
  v1::GetInclusionProofRequest req;
  req.set_position(1);
  req.set_tree_size(1);
  v1::GetInclusionProofResponse r;
  EXPECT_TRUE(server.audit().GetInclusionProof(&ctx, req, &r).ok());
}

}  // namespace
}  // namespace ledger
