// Fuzz target: request decoding and the rules. The bytes are parsed as an
// AppendRequest; each event goes through ValidateInput and, when valid,
// Decide and IndexEvent over an in-memory state (see fuzz_support.h for the invariants
// checked after every accepted event).
//
// Byte-level mutations alone rarely keep a request parseable and meaningful
// (a reversal needs the id of an earlier money event, a fee a branch ...), so
// most mutations here are structure-aware: the request is parsed, one field
// or event is changed through protobuf reflection (ids from a small shared
// pool, amounts and counts at their edges, dates, enums, whole events
// inserted, dropped, duplicated or moved) and serialised again. The rest are
// libFuzzer's own byte mutations, so unparseable bytes are fuzzed too.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "ledger/limits.h"
#include "solidarity/ledger/v1/ledger.pb.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

namespace v1 = ::solidarity::ledger::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using Rng = std::mt19937_64;

size_t Pick(Rng& rng, size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); }

template <typename T>
const T& PickOf(Rng& rng, const std::vector<T>& v) {
  return v[Pick(rng, v.size())];
}

const std::vector<std::string>& Ids() {
  static const auto* ids = new std::vector<std::string>{"lawyer",
                                                        "gone",
                                                        "leeds",
                                                        "york",
                                                        "d1",
                                                        "d2",
                                                        "d3",
                                                        "b1",
                                                        "a1",
                                                        "f1",
                                                        "al1",
                                                        "ds1",
                                                        "r1",
                                                        "genesis",
                                                        "",
                                                        "Bad Id",
                                                        std::string(ledger::kMaxIdLength, 'i'),
                                                        std::string(ledger::kMaxIdLength + 1, 'i')};
  return *ids;
}

const std::vector<std::string>& Currencies() {
  static const auto* c =
      new std::vector<std::string>{"GBP", "GBP", "EUR", "JPY", "BHD", "", "gbp", "XAU", "ABC"};
  return *c;
}

const std::vector<std::string>& Dates() {
  static const auto* d = new std::vector<std::string>{
      "2026-03-01", "2026-01-31", "2024-02-29", "2026-02-29", "1900-01-01",
      "1899-12-31", "2999-12-31", "3000-01-01", "2026-3-1",   ""};
  return *d;
}

const std::vector<int64_t>& Amounts() {
  static const auto* a = new std::vector<int64_t>{1,
                                                  2,
                                                  5,
                                                  99,
                                                  100,
                                                  500,
                                                  1000,
                                                  1250,
                                                  10000,
                                                  ledger::kMaxAmountMinor - 1,
                                                  ledger::kMaxAmountMinor,
                                                  ledger::kMaxAmountMinor + 1,
                                                  0,
                                                  -1,
                                                  std::numeric_limits<int64_t>::max(),
                                                  std::numeric_limits<int64_t>::min(),
                                                  ledger::kMaxMembers,
                                                  ledger::kMaxMembers + 1,
                                                  120,
                                                  121};
  return *a;
}

std::string Text(Rng& rng, const std::string& field_name) {
  const bool long_text = absl::StrContains(field_name, "purpose") ||
                         absl::StrContains(field_name, "reason") || field_name == "memo";
  const size_t limit = long_text ? ledger::kMaxMemoLength : ledger::kMaxNameLength;
  switch (Pick(rng, 6)) {
    case 0:
      return "";
    case 1:
      return std::string(limit, 't');
    case 2:
      return std::string(limit + 1, 't');
    case 3:
      return "bell\x07";
    case 4:
      return "caf\xc3\xa9 \xe2\x82\xac";  // valid UTF-8
    default:
      return "text";
  }
}

// Event templates of every kind a client may send, over the shared id pool.
std::vector<v1::EventInput> Templates() {
  std::vector<v1::EventInput> t;
  auto env = [](const char* id) {
    v1::EventInput in;
    in.set_event_id(id);
    in.set_occurred_on("2026-03-01");
    return in;
  };
  auto gbp = [](int64_t minor) {
    v1::Money m;
    m.set_amount_minor(minor);
    m.set_currency("GBP");
    return m;
  };
  {
    v1::EventInput in = env("b1");
    auto* e = in.mutable_body()->mutable_beneficiary_registered();
    e->set_beneficiary_id("lawyer");
    e->set_display_name("A fund");
    t.push_back(in);
  }
  {
    v1::EventInput in = env("u1");
    auto* e = in.mutable_body()->mutable_beneficiary_updated();
    e->set_beneficiary_id("lawyer");
    e->set_display_name("Renamed");
    t.push_back(in);
  }
  {
    v1::EventInput in = env("c1");
    in.mutable_body()->mutable_beneficiary_closed()->set_beneficiary_id("lawyer");
    t.push_back(in);
  }
  {
    v1::EventInput in = env("a1");
    auto* e = in.mutable_body()->mutable_branch_affiliated();
    e->set_branch_id("leeds");
    e->set_union_name("UNISON");
    e->set_branch_name("Leeds");
    e->set_members(120);
    *e->mutable_fee_basis()->mutable_fixed()->mutable_fee() = gbp(1000);
    e->mutable_fee_basis()->set_period(v1::FEE_PERIOD_MONTHLY);
    t.push_back(in);
    *e->mutable_fee_basis()->mutable_per_member()->mutable_fee_per_member() = gbp(5);
    *e->mutable_fee_basis()->mutable_per_member()->mutable_minimum() = gbp(500);
    e->mutable_fee_basis()->set_period(v1::FEE_PERIOD_ANNUAL);
    in.set_event_id("a2");
    t.push_back(in);
  }
  {
    v1::EventInput in = env("x1");
    in.mutable_body()->mutable_branch_disaffiliated()->set_branch_id("leeds");
    t.push_back(in);
  }
  {
    v1::EventInput in = env("f1");
    auto* e = in.mutable_body()->mutable_affiliation_fee_paid();
    e->set_branch_id("leeds");
    *e->mutable_amount() = gbp(1000);
    e->set_periods(1);
    t.push_back(in);
  }
  {
    v1::EventInput in = env("d1");
    auto* e = in.mutable_body()->mutable_donation_received();
    *e->mutable_amount() = gbp(10000);
    e->set_donor_kind(v1::DONOR_KIND_INDIVIDUAL);
    t.push_back(in);
    e->set_earmark_beneficiary_id("lawyer");
    in.set_event_id("d2");
    t.push_back(in);
    e->set_donor_kind(v1::DONOR_KIND_BRANCH);
    e->set_branch_id("leeds");
    in.set_event_id("d3");
    t.push_back(in);
  }
  {
    v1::EventInput in = env("al1");
    auto* e = in.mutable_body()->mutable_funds_allocated();
    e->set_beneficiary_id("lawyer");
    *e->mutable_amount() = gbp(4000);
    t.push_back(in);
  }
  {
    v1::EventInput in = env("ds1");
    auto* e = in.mutable_body()->mutable_disbursement_made();
    e->set_beneficiary_id("lawyer");
    *e->mutable_amount() = gbp(1000);
    e->set_purpose("fees");
    t.push_back(in);
  }
  {
    v1::EventInput in = env("r1");
    auto* e = in.mutable_body()->mutable_event_reversed();
    e->set_target_event_id("d1");
    e->set_kind(v1::REVERSAL_KIND_REFUND);
    e->set_reason("refund");
    t.push_back(in);
    *e->mutable_amount() = gbp(100);
    in.set_event_id("r2");
    t.push_back(in);
  }
  return t;
}

// Every (message, field) of `m` and its sub-messages, for picking one.
struct FieldRef {
  Message* message;
  const FieldDescriptor* field;
};
void CollectFields(Message* m, std::vector<FieldRef>& out) {
  const Reflection* r = m->GetReflection();
  const google::protobuf::Descriptor* d = m->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    out.push_back({m, f});
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int k = 0; k < r->FieldSize(*m, f); ++k)
        CollectFields(r->MutableRepeatedMessage(m, f, k), out);
    } else if (r->HasField(*m, f)) {
      CollectFields(r->MutableMessage(m, f), out);
    }
  }
}

void MutateField(Rng& rng, const FieldRef& ref, const std::vector<std::string>& event_ids) {
  Message* m = ref.message;
  const FieldDescriptor* f = ref.field;
  const Reflection* r = m->GetReflection();
  if (f->is_repeated()) return;  // events are handled by MutateEvents
  const std::string& name = f->name();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT64:
    case FieldDescriptor::CPPTYPE_INT32: {
      int64_t v = Pick(rng, 8) == 0 ? static_cast<int64_t>(rng()) : PickOf(rng, Amounts());
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT64) r->SetInt64(m, f, v);
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_UINT64)
        r->SetUInt64(m, f, static_cast<uint64_t>(v));
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
        r->SetInt32(
            m, f,
            Pick(rng, 2) ? static_cast<int32_t>(v) : static_cast<int32_t>(Pick(rng, 130)) - 2);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM:
      r->SetEnumValue(m, f, static_cast<int>(Pick(rng, 7)) - 1);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      r->SetBool(m, f, !r->GetBool(*m, f));
      break;
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v;
      if (name == "currency") {
        v = PickOf(rng, Currencies());
      } else if (name == "occurred_on") {
        v = PickOf(rng, Dates());
      } else if (absl::EndsWith(name, "_id")) {
        // Ids: mostly ones other events use, so the rules meet again.
        v = (!event_ids.empty() && Pick(rng, 2)) ? PickOf(rng, event_ids) : PickOf(rng, Ids());
      } else {
        v = Text(rng, name);
      }
      r->SetString(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (r->HasField(*m, f) && Pick(rng, 2)) {
        r->ClearField(m, f);  // a missing amount, fee basis, body ...
      } else {
        r->MutableMessage(m, f);  // present but empty
      }
      break;
    default:
      break;
  }
}

void MutateEvents(Rng& rng, v1::AppendRequest& req) {
  static const std::vector<v1::EventInput> templates = Templates();
  auto* events = req.mutable_events();
  const int n = events->size();
  switch (Pick(rng, 5)) {
    case 0: {  // insert a template event
      if (n >= 64) break;
      v1::EventInput in = PickOf(rng, templates);
      in.set_event_id(absl::StrCat(in.event_id(), "-", Pick(rng, 4)));
      *events->Add() = in;
      for (int k = events->size() - 1; k > 0 && Pick(rng, 2); --k) events->SwapElements(k, k - 1);
      break;
    }
    case 1:  // drop one
      if (n > 0) {
        events->SwapElements(static_cast<int>(Pick(rng, n)), n - 1);
        events->RemoveLast();
      }
      break;
    case 2:  // duplicate one (same id: the writer deduplicates or refuses)
      if (n > 0 && n < 64) {
        v1::EventInput copy = (*events)[static_cast<int>(Pick(rng, n))];
        if (Pick(rng, 2)) copy.set_event_id(absl::StrCat(copy.event_id(), "x"));
        *events->Add() = copy;
      }
      break;
    case 3:  // move one
      if (n > 1)
        events->SwapElements(static_cast<int>(Pick(rng, n)), static_cast<int>(Pick(rng, n)));
      break;
    default:  // point a reversal at an earlier event
      for (int k = 0; k < n; ++k) {
        auto* body = (*events)[k].mutable_body();
        if (body->has_event_reversed() && k > 0) {
          body->mutable_event_reversed()->set_target_event_id(
              (*events)[static_cast<int>(Pick(rng, k))].event_id());
          break;
        }
      }
      break;
  }
}

size_t Emit(const v1::AppendRequest& req, uint8_t* data, size_t max_size) {
  std::string out;
  if (!req.SerializeToString(&out) || out.size() > max_size) return 0;
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ledger::fuzz::QuietProtobufLogs();
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  Rng rng(seed);
  v1::AppendRequest req;
  if (Pick(rng, 5) == 0 || !req.ParseFromArray(data, static_cast<int>(size))) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  const int rounds = 1 + static_cast<int>(Pick(rng, 3));
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::string> event_ids;
    for (const auto& e : req.events()) event_ids.push_back(e.event_id());
    if (req.events_size() == 0 || Pick(rng, 3) == 0) {
      MutateEvents(rng, req);
      continue;
    }
    std::vector<FieldRef> fields;
    CollectFields(&req, fields);
    MutateField(rng, PickOf(rng, fields), event_ids);
  }
  const size_t n = Emit(req, data, max_size);
  return n > 0 ? n : LLVMFuzzerMutate(data, size, max_size);
}

// Splices two requests: the events of one, then some of the other's.
extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* data1, size_t size1,
                                            const uint8_t* data2, size_t size2, uint8_t* out,
                                            size_t max_out_size, unsigned int seed) {
  Rng rng(seed);
  v1::AppendRequest a, b;
  if (!a.ParseFromArray(data1, static_cast<int>(size1)) ||
      !b.ParseFromArray(data2, static_cast<int>(size2))) {
    return 0;
  }
  const int keep = static_cast<int>(Pick(rng, a.events_size() + 1));
  while (a.events_size() > keep) a.mutable_events()->RemoveLast();
  for (const auto& e : b.events()) {
    if (a.events_size() >= 64) break;
    if (Pick(rng, 3)) *a.add_events() = e;
  }
  return Emit(a, out, max_out_size);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ledger::fuzz::RunAppendRequest(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
