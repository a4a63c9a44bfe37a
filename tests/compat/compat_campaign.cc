#include "tests/compat/compat_campaign.h"

#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/text_format.h"
#include "ledger/audit/export.h"
#include "ledger/audit/point_in_time.h"
#include "ledger/audit/replay.h"
#include "ledger/audit/statements.h"
#include "ledger/domain/civil_date.h"
#include "ledger/hash.h"
#include "ledger/views/queries.h"
#include "rocksdb/db.h"

namespace ledger::compat {
namespace {

v1::Money Of(int64_t minor, const char* currency) {
  v1::Money m;
  m.set_amount_minor(minor);
  m.set_currency(currency);
  return m;
}

v1::EventInput Input(const std::string& id, absl::CivilDay day) {
  v1::EventInput in;
  in.set_event_id(id);
  in.set_occurred_on(FormatDate(day));
  return in;
}

v1::EventInput Register(const std::string& id, const char* name, const char* purpose,
                        bool sensitive, absl::CivilDay day) {
  v1::EventInput in = Input(absl::StrCat("reg-", id), day);
  auto* e = in.mutable_body()->mutable_beneficiary_registered();
  e->set_beneficiary_id(id);
  e->set_display_name(name);
  e->set_purpose(purpose);
  e->set_sensitive(sensitive);
  return in;
}

v1::EventInput Donation(const std::string& id, absl::CivilDay day, v1::Money amount,
                        v1::DonorKind kind, const std::string& ref, const std::string& earmark) {
  v1::EventInput in = Input(id, day);
  auto* e = in.mutable_body()->mutable_donation_received();
  *e->mutable_amount() = amount;
  e->set_donor_kind(kind);
  if (kind == v1::DONOR_KIND_BRANCH) {
    e->set_branch_id(ref);
  } else {
    e->set_donor_ref(ref);
  }
  e->set_earmark_beneficiary_id(earmark);
  e->set_method(kind == v1::DONOR_KIND_ANONYMOUS ? "cash" : "card");
  e->set_reference(absl::StrCat("ref ", id));
  return in;
}

v1::EventInput Reverse(const std::string& id, absl::CivilDay day, const std::string& target,
                       v1::ReversalKind kind, int64_t part_minor, const char* currency) {
  v1::EventInput in = Input(id, day);
  auto* e = in.mutable_body()->mutable_event_reversed();
  e->set_target_event_id(target);
  e->set_kind(kind);
  if (part_minor > 0) *e->mutable_amount() = Of(part_minor, currency);
  e->set_reason("as agreed with the donor, \"in writing\"");
  return in;
}

v1::EventInput Disburse(const std::string& id, absl::CivilDay day, const std::string& fund,
                        v1::Money amount, const char* purpose) {
  v1::EventInput in = Input(id, day);
  auto* e = in.mutable_body()->mutable_disbursement_made();
  e->set_beneficiary_id(fund);
  *e->mutable_amount() = amount;
  e->set_purpose(purpose);
  e->set_payee(absl::StrCat("payee-", fund));
  e->set_method("bank transfer");
  e->set_reference(absl::StrCat("out ", id));
  return in;
}

v1::EventInput Fee(const std::string& id, absl::CivilDay day, const std::string& branch,
                   int64_t minor, int periods) {
  v1::EventInput in = Input(id, day);
  auto* e = in.mutable_body()->mutable_affiliation_fee_paid();
  e->set_branch_id(branch);
  *e->mutable_amount() = Of(minor, "GBP");
  e->set_periods(periods);
  e->set_method("standing order");
  return in;
}

v1::EventInput Affiliate(const std::string& id, absl::CivilDay day, const std::string& branch) {
  v1::EventInput in = Input(id, day);
  auto* e = in.mutable_body()->mutable_branch_affiliated();
  e->set_branch_id(branch);
  e->set_union_name(branch == "leeds" ? "UNISON" : branch == "york" ? "RMT" : "PCS");
  e->set_branch_name(branch == "leeds"  ? "Leeds Health"
                     : branch == "york" ? "York No.1"
                                        : "Caerdydd");
  e->set_region("Cymru / Yorkshire");
  auto* basis = e->mutable_fee_basis();
  if (branch == "leeds") {
    e->set_members(240);
    *basis->mutable_per_member()->mutable_fee_per_member() = Of(10, "GBP");
    *basis->mutable_per_member()->mutable_minimum() = Of(1500, "GBP");
    basis->set_period(v1::FEE_PERIOD_MONTHLY);
  } else if (branch == "york") {
    *basis->mutable_fixed()->mutable_fee() = Of(2500, "GBP");
    basis->set_period(v1::FEE_PERIOD_QUARTERLY);
  } else {
    *basis->mutable_fixed()->mutable_fee() = Of(1000, "GBP");
    basis->set_period(v1::FEE_PERIOD_ANNUAL);
  }
  return in;
}

v1::AppendRequest Of1(v1::EventInput a) {
  v1::AppendRequest r;
  *r.add_events() = std::move(a);
  return r;
}

constexpr size_t kRequests = 1100;
const absl::CivilDay kJan1(2026, 1, 1);

// Day of loop step i: 6 January to 28 February, in order.
absl::CivilDay DayOf(size_t i) {
  return absl::CivilDay(2026, 1, 6) + static_cast<int>(i * 53 / kRequests);
}

}  // namespace

absl::Time CampaignStart() { return absl::FromUnixSeconds(1772355600); }  // 2026-03-01T09:00Z

std::vector<v1::AppendRequest> CampaignRequests() {
  std::vector<v1::AppendRequest> out;
  {
    v1::AppendRequest setup;
    *setup.add_events() =
        Register("lawyer", "Legal aid for A.K.", "appeal and prison visits", true, kJan1);
    *setup.add_events() =
        Register("medic", "Medical costs: R.", "surgery after the shooting", false, kJan1);
    *setup.add_events() =
        Register("released", "Released prisoner", "rent\nand travel home", false, kJan1 + 1);
    *setup.add_events() = Register("family", "Strikers' families — Жанаозен", "", false, kJan1 + 4);
    *setup.add_events() = Affiliate("aff-leeds", kJan1, "leeds");
    *setup.add_events() = Affiliate("aff-york", kJan1 + 2, "york");
    *setup.add_events() = Affiliate("aff-cardiff", kJan1 + 3, "cardiff");
    setup.mutable_events(0)->set_memo("first fund\twith a tab");
    out.push_back(std::move(setup));
  }
  int64_t released_bhd = 0;
  bool released_open = true;
  for (size_t i = 12; out.size() < kRequests; ++i) {
    const absl::CivilDay day = DayOf(out.size());
    const std::string id = absl::StrCat("e", i);
    switch (i % 12) {
      case 0: {
        // Now and then a gift dated a few days back.
        const absl::CivilDay on = i % 24 == 0 && day - 3 >= kJan1 + 5 ? day - 3 : day;
        out.push_back(
            Of1(Donation(id, on, Of(1000 + static_cast<int64_t>(i), "GBP"),
                         v1::DONOR_KIND_INDIVIDUAL, absl::StrCat("supporter-", i % 40), "")));
        break;
      }
      case 1:
        out.push_back(Of1(Donation(id, day, Of(2500 + static_cast<int64_t>(i % 7), "GBP"),
                                   v1::DONOR_KIND_INDIVIDUAL, "", "lawyer")));
        break;
      case 2:
        out.push_back(Of1(Fee(id, day, "leeds", 2400, 1)));
        break;
      case 3:
        out.push_back(
            Of1(Donation(id, day, Of(1500, "EUR"), v1::DONOR_KIND_ANONYMOUS, "", "medic")));
        break;
      case 4:
        out.push_back(
            Of1(Donation(id, day, Of(5000, "GBP"), v1::DONOR_KIND_BRANCH, "york", "family")));
        break;
      case 5: {
        v1::EventInput in = Input(id, day);
        auto* e = in.mutable_body()->mutable_funds_allocated();
        e->set_beneficiary_id("lawyer");
        *e->mutable_amount() = Of(500, "GBP");
        e->set_memo("committee decision");
        out.push_back(Of1(std::move(in)));
        break;
      }
      case 6:
        out.push_back(
            Of1(Disburse(id, day, "lawyer", Of(1500, "GBP"), "court fees, \"first hearing\"")));
        break;
      case 7:
        out.push_back(Of1(Donation(id, day, Of(3000, "JPY"), v1::DONOR_KIND_ORGANISATION,
                                   absl::StrCat("org-", i % 5), "")));
        break;
      case 8:
        out.push_back(Of1(Disburse(id, day, "medic", Of(1000, "EUR"), "clinic invoice")));
        break;
      case 9:
        out.push_back(
            Of1(Reverse(id, day, absl::StrCat("e", i - 9), v1::REVERSAL_KIND_REFUND, 100, "GBP")));
        break;
      case 10:
        if (released_open) {
          out.push_back(
              Of1(Donation(id, day, Of(1234, "BHD"), v1::DONOR_KIND_INDIVIDUAL, "", "released")));
          released_bhd += 1234;
        } else {
          out.push_back(Of1(Donation(id, day, Of(1234, "BHD"), v1::DONOR_KIND_INDIVIDUAL, "", "")));
        }
        break;
      default:
        out.push_back(
            Of1(Reverse(id, day, absl::StrCat("e", i - 7), v1::REVERSAL_KIND_DUPLICATE, 0, "")));
        break;
    }
    // Events of their own at a few steps.
    if (i == 13) out.back().mutable_events()->Add(Fee("fee-cardiff", day, "cardiff", 1000, 1));
    if (i == 61) out.back().mutable_events()->Add(Fee("fee-york", day, "york", 5000, 2));
    if (i == 200) {
      v1::EventInput in = Input("rename-medic", day);
      auto* e = in.mutable_body()->mutable_beneficiary_updated();
      e->set_beneficiary_id("medic");
      e->set_display_name("Medical costs: R. and family");
      out.back().mutable_events()->Add(std::move(in));
    }
    if (i == 300) {
      v1::EventInput in = Input("leave-cardiff", day);
      in.mutable_body()->mutable_branch_disaffiliated()->set_branch_id("cardiff");
      in.mutable_body()->mutable_branch_disaffiliated()->set_reason("branch merged");
      out.back().mutable_events()->Add(std::move(in));
    }
    if (i == 310)
      out.back().mutable_events()->Add(
          Reverse("undo-alloc", day, "e305", v1::REVERSAL_KIND_CORRECTION, 0, ""));
    if (i == 330)
      out.back().mutable_events()->Add(
          Reverse("undo-pay", day, "e318", v1::REVERSAL_KIND_CORRECTION, 0, ""));
    if (i == 350)
      out.back().mutable_events()->Add(
          Reverse("chargeback-fee", day, "e338", v1::REVERSAL_KIND_CHARGEBACK, 0, ""));
    if (i == 450) out.back().mutable_events()->Add(Affiliate("back-cardiff", day, "cardiff"));
    if (i == 620) {
      out.back().mutable_events()->Add(
          Disburse("released-out", day, "released", Of(released_bhd, "BHD"), "rent"));
      v1::EventInput close = Input("close-released", day);
      close.mutable_body()->mutable_beneficiary_closed()->set_beneficiary_id("released");
      close.mutable_body()->mutable_beneficiary_closed()->set_reason("released, fund spent");
      out.back().mutable_events()->Add(std::move(close));
      released_open = false;
    }
  }
  return out;
}

absl::Status AppendCampaign(EventLog& log, CampaignClock& clock, size_t from, size_t to) {
  const std::vector<v1::AppendRequest> requests = CampaignRequests();
  for (size_t i = from; i < to && i < requests.size(); ++i) {
    clock.Tick();
    absl::StatusOr<AppendResult> r = log.Append(requests[i], "compat");
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat("campaign request ", i, ": ", r.status().message()));
    }
  }
  return absl::OkStatus();
}

namespace {

std::string Text(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::TextFormat::PrintToString(m, &out);
  return out;
}

template <typename T>
absl::Status AddAnswer(std::string& out, const std::string& name, absl::StatusOr<T> answer) {
  if (!answer.ok()) return answer.status();
  absl::StrAppend(&out, "## ", name, "\n", Text(*answer), "\n");
  return absl::OkStatus();
}

// The query answers at `view` (now, or as of a point).
absl::Status AddQueries(std::string& out, const std::string& at, ReadView& view,
                        absl::CivilDay today, const DetailAccess& access) {
  RETURN_IF_ERROR(AddAnswer(out, at + " summary", QuerySummary(view)));
  RETURN_IF_ERROR(AddAnswer(out, at + " beneficiaries", QueryBeneficiaries(view, false, access)));
  RETURN_IF_ERROR(
      AddAnswer(out, at + " beneficiaries+closed", QueryBeneficiaries(view, true, access)));
  RETURN_IF_ERROR(AddAnswer(out, at + " branches", QueryBranches(view, false, today)));
  RETURN_IF_ERROR(AddAnswer(out, at + " branches+all", QueryBranches(view, true, today)));
  RETURN_IF_ERROR(AddAnswer(out, at + " trial balance", QueryTrialBalance(view)));
  for (const char* id : {"lawyer", "medic", "released", "family"}) {
    absl::StatusOr<v1::BeneficiaryView> b = QueryBeneficiary(view, id, access);
    if (b.ok() || b.status().code() != absl::StatusCode::kNotFound) {
      RETURN_IF_ERROR(AddAnswer(out, absl::StrCat(at, " beneficiary ", id), b));
    }
  }
  for (const char* id : {"leeds", "york", "cardiff"}) {
    absl::StatusOr<v1::BranchView> b = QueryBranch(view, id, today);
    if (b.ok() || b.status().code() != absl::StatusCode::kNotFound) {
      RETURN_IF_ERROR(AddAnswer(out, absl::StrCat(at, " branch ", id), b));
    }
  }
  return absl::OkStatus();
}

v1::DateRange Range(const char* from, const char* to) {
  v1::DateRange r;
  r.set_from_date(from);
  r.set_to_date(to);
  return r;
}

absl::StatusOr<std::string> Queries(EventLog& log, absl::CivilDay today,
                                    const DetailAccess& access) {
  std::string out;
  {
    auto view = log.NewReadView();
    RETURN_IF_ERROR(AddQueries(out, "now", *view, today, access));
    RETURN_IF_ERROR(AddAnswer(out, "events from 1", QueryEvents(*view, 1, 40, access)));
    RETURN_IF_ERROR(AddAnswer(out, "events from 1000", QueryEvents(*view, 1000, 40, access)));
    for (const char* id : {"e21", "e23", "undo-alloc", "chargeback-fee", "close-released"}) {
      v1::GetEventRequest req;
      req.set_event_id(id);
      RETURN_IF_ERROR(AddAnswer(out, absl::StrCat("event ", id), QueryEvent(*view, req, access)));
    }
    for (const char* fund : {"general", "lawyer", "medic", "released", "family"}) {
      for (const auto& [from, to] :
           {std::pair{"2026-02-10", "2026-02-20"}, std::pair{"2025-12-01", "2026-03-01"}}) {
        RETURN_IF_ERROR(AddAnswer(out, absl::StrCat("fund statement ", fund, " ", from, " ", to),
                                  FundStatement(*view, fund, Range(from, to), access)));
      }
    }
    for (const char* branch : {"leeds", "york", "cardiff"}) {
      RETURN_IF_ERROR(
          AddAnswer(out, absl::StrCat("branch statement ", branch),
                    BranchStatement(*view, branch, Range("2026-01-01", "2026-03-01"), access)));
    }
    RETURN_IF_ERROR(AddAnswer(out, "income statement",
                              IncomeStatement(*view, Range("2026-01-01", "2026-03-01"))));
    RETURN_IF_ERROR(AddAnswer(out, "income statement Feb",
                              IncomeStatement(*view, Range("2026-02-01", "2026-02-28"))));
  }
  const uint64_t head = log.head_position();
  for (uint64_t p : {uint64_t{8}, uint64_t{1023}, uint64_t{1025}, head - 3}) {
    if (p > head) continue;
    ASSIGN_OR_RETURN(std::unique_ptr<ReadView> at, AsOfPosition(log.NewReadView(), p));
    RETURN_IF_ERROR(AddQueries(out, absl::StrCat("position ", p), *at, today, access));
  }
  for (absl::CivilDay d : {absl::CivilDay(2026, 1, 5), absl::CivilDay(2026, 2, 15)}) {
    ASSIGN_OR_RETURN(std::unique_ptr<ReadView> at, AsOfEndOfDay(log.NewReadView(), d));
    RETURN_IF_ERROR(AddQueries(out, absl::StrCat("end of ", FormatDate(d)), *at, d, access));
  }
  return out;
}

std::string RawColumnFamily(EventLog& log, const char* name) {
  std::string out;
  std::unique_ptr<rocksdb::Iterator> it(log.database().raw_for_testing()->NewIterator(
      rocksdb::ReadOptions(), log.database().cf(name)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    absl::StrAppend(&out, std::string(name) == "state" ? PrintableKey(key) : ToHex(key), " ",
                    ToHex(it->value().ToString()), "\n");
  }
  if (!it->status().ok()) absl::StrAppend(&out, "ERROR ", it->status().ToString(), "\n");
  return out;
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> Dump(EventLog& log, absl::CivilDay today,
                                                        const DetailAccess& access) {
  std::map<std::string, std::string> files;
  for (const char* cf : {"events", "ids", "state", "meta"}) {
    files[absl::StrCat("cf-", cf, ".txt")] = RawColumnFamily(log, cf);
  }
  for (ExportTable table : {ExportTable::kEvents, ExportTable::kPostings}) {
    for (ExportFormat format : {ExportFormat::kCsv, ExportFormat::kJsonLines}) {
      std::ostringstream out;
      auto view = log.NewReadView();
      RETURN_IF_ERROR(ExportFromView(*view, table, format, out, {}, access).status());
      files[absl::StrCat("export-", table == ExportTable::kEvents ? "events" : "postings",
                         format == ExportFormat::kCsv ? ".csv" : ".jsonl")] = out.str();
    }
  }
  ASSIGN_OR_RETURN(files["queries.txt"], Queries(log, today, access));
  return files;
}

namespace {

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Runs of exactly 64 or 32 lower-case hex digits (hashes, ledger ids)
// replaced by a placeholder.
std::string MaskHex(absl::string_view line) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = i;
    while (j < line.size() && IsLowerHex(line[j])) ++j;
    const size_t run = j - i;
    if (run == 64) {
      out += "<hash>";
    } else if (run == 32) {
      out += "<id>";
    } else {
      out.append(line.data() + i, run);
    }
    if (j < line.size()) out += line[j];
    i = j + 1;
  }
  return out;
}

// A protobuf text line of a field that differs by design.
bool DiffersByDesign(absl::string_view line) {
  line = absl::StripLeadingAsciiWhitespace(line);
  for (absl::string_view field :
       {"hash: ", "prev_hash: ", "head_hash: ", "ledger_id: ", "private_commitment: ",
        "private_details: ", "purpose_position: ", "purpose_private: "}) {
    if (absl::StartsWith(line, field)) return true;
  }
  return false;
}

}  // namespace

std::string Masked(absl::string_view name, absl::string_view content) {
  const bool text = absl::EndsWith(name, ".txt");
  const bool events = absl::StartsWith(name, "export-events");
  std::vector<std::string> out;
  int skip_depth = -1;  // inside a migrated_from block: its indentation
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    if (text) {
      // Query answers (protobuf text): the fields that differ by design, and
      // the block naming the ledger a migration came from.
      const size_t indent = line.find_first_not_of(' ');
      const absl::string_view bare = absl::StripLeadingAsciiWhitespace(line);
      if (skip_depth >= 0) {
        if (indent == static_cast<size_t>(skip_depth) && bare == "}") skip_depth = -1;
        continue;
      }
      if (bare == "migrated_from {") {
        skip_depth = static_cast<int>(indent);
        continue;
      }
      if (DiffersByDesign(line)) continue;
      out.emplace_back(line);
      continue;
    }
    // Exports: the genesis row (its body names the ledger and any
    // migration), hashes and ids as hex, and the flag the server sets when
    // it seals a sensitive fund's purpose.
    if (events &&
        (absl::StartsWith(line, "1,genesis,") || absl::StartsWith(line, "{\"position\":1,"))) {
      continue;
    }
    std::string l = MaskHex(line);
    for (const std::string flag : {",\"purpose_private\":true", "\"purpose_private\":true,"}) {
      for (size_t at = l.find(flag); at != std::string::npos; at = l.find(flag)) {
        l.erase(at, flag.size());
      }
    }
    out.push_back(std::move(l));
  }
  return absl::StrJoin(out, "\n");
}

}  // namespace ledger::compat
