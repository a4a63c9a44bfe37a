// Writes the seed corpora of the fuzz targets:
//   fuzz_seeds DIR     (DIR = tests/fuzz/corpus; writes DIR/<target>/<name>)
// Seeds are small and meaningful: amounts in each exponent, valid and damaged
// records, and AppendRequests that exercise every event kind (each valid one is
// run through the append harness, which must accept all of its events).
// Files of other names (crash regressions) are left alone.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "ledger/hash.h"
#include "ledger/storage/records.h"
#include "solidarity/ledger/v1/ledger.pb.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

namespace t = ::ledger::testing;

std::string g_dir;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  const std::string dir = absl::StrCat(g_dir, "/", target);
  std::filesystem::create_directories(dir);
  std::ofstream(absl::StrCat(dir, "/", name), std::ios::binary) << bytes;
}

std::string Bytes(const v1::AppendRequest& req) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  req.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// A valid request: every event must be accepted by the harness.
void Valid(const std::string& name, const v1::AppendRequest& req) {
  const std::string bytes = Bytes(req);
  fuzz::AppendOutcome o = fuzz::RunAppendRequest(bytes);
  if (!o.parsed || o.accepted != req.events_size()) {
    std::fprintf(stderr, "seed %s: only %d of %d events accepted\n", name.c_str(), o.accepted,
                 req.events_size());
    std::exit(1);
  }
  Write("append_request_fuzz", absl::StrCat("valid-", name), bytes);
}

void Invalid(const std::string& name, const v1::AppendRequest& req) {
  Write("append_request_fuzz", absl::StrCat("invalid-", name), Bytes(req));
}

v1::EventInput Id(v1::EventInput in, const std::string& id) { return t::WithId(std::move(in), id); }

void MoneySeeds() {
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"gbp", "12.50"},
      {"bhd", "1.234"},
      {"negative", "-5"},
      {"whole", "12"},
      {"one-place", "12.5"},
      {"zero", "0"},
      {"pence", "0.05"},
      {"leading-zeros", "007.10"},
      {"amount-gbp", "12.50 GBP"},
      {"amount-jpy", "1250 JPY"},
      {"amount-bhd", "1.234 BHD"},
      {"amount-unknown", "12.50 ABC"},
      {"amount-lower", "12.50 gbp"},
      {"int64-max", "9223372036854775807"},
      {"int64-max-gbp", "92233720368547758.07"},
      {"int64-over", "92233720368547758.08"},
      {"huge", "99999999999999999999999"},
      {"exponent", "1e5"},
      {"space", " 12.50"},
      {"trailing-dot", "12."},
      {"leading-dot", ".5"},
      {"two-dots", "12.5.0"},
      {"separator", "1,000.00"},
      {"too-precise", "1.2345"},
      {"plus", "+5"},
      {"empty", ""},
  };
  for (const auto& [name, text] : seeds) Write("money_fuzz", name, text);
}

void RecordSeeds() {
  const std::string ledger_id(32, 'a');
  v1::EventPayload payload;
  payload.set_event_id("don-1");
  payload.set_recorded_at_us(1772366400000000);
  payload.set_occurred_on("2026-03-01");
  payload.set_actor("treasurer");
  *payload.mutable_body() = t::Donation(t::Gbp(1250), "lawyer").body();
  std::string bytes;
  payload.SerializeToString(&bytes);
  const std::string hash = ChainHash(ledger_id, 2, ZeroHash(), bytes);
  const std::string record = EncodeEventRecord(ZeroHash(), hash, bytes);
  Write("record_fuzz", "event-donation", record);
  v1::EventPayload genesis;
  genesis.set_event_id("genesis");
  genesis.set_occurred_on("2026-03-01");
  genesis.mutable_body()->mutable_ledger_opened()->set_ledger_id(ledger_id);
  genesis.mutable_body()->mutable_ledger_opened()->set_name("Solidarity Ledger");
  std::string genesis_bytes;
  genesis.SerializeToString(&genesis_bytes);
  Write("record_fuzz", "event-genesis",
        EncodeEventRecord(ZeroHash(), ChainHash(ledger_id, 1, ZeroHash(), genesis_bytes),
                          genesis_bytes));
  v1::EventPayload reversal = payload;
  *reversal.mutable_body() = t::Reversal("don-1", v1::REVERSAL_KIND_REFUND, 250, "GBP").body();
  std::string reversal_bytes;
  reversal.SerializeToString(&reversal_bytes);
  Write("record_fuzz", "event-reversal", EncodeEventRecord(hash, hash, reversal_bytes));
  Write("record_fuzz", "event-header-only", record.substr(0, kEventRecordHeaderSize));
  Write("record_fuzz", "event-truncated-header", record.substr(0, kEventRecordHeaderSize - 1));
  Write("record_fuzz", "event-truncated-payload", record.substr(0, record.size() - 3));
  std::string wrong_version = record;
  wrong_version[0] = 2;
  Write("record_fuzz", "event-version-2", wrong_version);
  Write("record_fuzz", "id-entry", EncodeIdEntry(2, Sha256("content")));
  Write("record_fuzz", "id-entry-truncated", EncodeIdEntry(2, Sha256("content")).substr(0, 39));
  Write("record_fuzz", "head", EncodeHead(7, hash));
  Write("record_fuzz", "head-long", EncodeHead(7, hash) + "x");
  Write("record_fuzz", "event-key", EventKey(42));
  Write("record_fuzz", "one-byte", std::string(1, '\x01'));
}

void AppendSeeds() {
  using t::Gbp;
  using t::Of;
  Valid("beneficiary", t::Request({Id(t::Beneficiary("lawyer"), "b1")}));
  {
    v1::EventInput update = Id(t::Beneficiary("x"), "u1");
    update.mutable_body()->Clear();
    auto* u = update.mutable_body()->mutable_beneficiary_updated();
    u->set_beneficiary_id("lawyer");
    u->set_display_name("Legal fund");
    Valid("update", t::Request({Id(t::Beneficiary("lawyer"), "b1"), update}));
  }
  Valid("close",
        t::Request({Id(t::Beneficiary("gone"), "b1"), Id(t::CloseBeneficiary("gone"), "c1")}));
  Valid("branch-fee",
        t::Request({Id(t::Branch("leeds"), "a1"), Id(t::Fee("leeds", Gbp(3000), 3), "f1")}));
  {
    v1::EventInput per_member = Id(t::Branch("york"), "a1");
    auto* basis = per_member.mutable_body()->mutable_branch_affiliated()->mutable_fee_basis();
    basis->Clear();
    *basis->mutable_per_member()->mutable_fee_per_member() = Gbp(5);
    *basis->mutable_per_member()->mutable_minimum() = Gbp(500);
    basis->set_period(v1::FEE_PERIOD_QUARTERLY);
    Valid("branch-per-member", t::Request({per_member, Id(t::Fee("york", Gbp(600)), "f1"),
                                           Id(t::Disaffiliate("york"), "d1")}));
  }
  Valid("donation", t::Request({Id(t::Donation(Gbp(1250)), "d1")}));
  Valid("donation-jpy-bhd", t::Request({Id(t::Donation(Of(1250, "JPY")), "d1"),
                                        Id(t::Donation(Of(1234, "BHD")), "d2")}));
  Valid("donation-branch-earmark",
        t::Request({Id(t::Beneficiary("lawyer"), "b1"), Id(t::Branch("leeds"), "a1"),
                    Id(t::BranchDonation("leeds", Gbp(700), "lawyer"), "d1")}));
  Valid("allocate-disburse",
        t::Request({Id(t::Beneficiary("lawyer"), "b1"), Id(t::Donation(Gbp(10000)), "d1"),
                    Id(t::Allocation("lawyer", Gbp(6000)), "al1"),
                    Id(t::Disbursement("lawyer", Gbp(2500)), "ds1")}));
  Valid("reversals",
        t::Request({Id(t::Beneficiary("lawyer"), "b1"), Id(t::Branch("leeds"), "a1"),
                    Id(t::Donation(Gbp(10000)), "d1"), Id(t::Donation(Gbp(900), "lawyer"), "d2"),
                    Id(t::Fee("leeds", Gbp(1000)), "f1"),
                    Id(t::Allocation("lawyer", Gbp(4000)), "al1"),
                    Id(t::Disbursement("lawyer", Gbp(1000)), "ds1"),
                    Id(t::Reversal("d2", v1::REVERSAL_KIND_REFUND, 400, "GBP"), "r1"),
                    Id(t::Reversal("f1", v1::REVERSAL_KIND_CORRECTION), "r2"),
                    Id(t::Reversal("ds1", v1::REVERSAL_KIND_DUPLICATE), "r3"),
                    Id(t::Reversal("al1", v1::REVERSAL_KIND_CHARGEBACK, 100, "GBP"), "r4")}));
  {
    // The largest amount, twice (totals near the limit).
    Valid("max-amount", t::Request({Id(t::Donation(Gbp(1'000'000'000'000'000)), "d1"),
                                    Id(t::Donation(Gbp(1'000'000'000'000'000)), "d2")}));
  }
  // Refused by the rules: each one stage-2 refusal after valid set-up.
  Invalid("overdrawn", t::Request({Id(t::Beneficiary("lawyer"), "b1"),
                                   Id(t::Disbursement("lawyer", Gbp(1)), "ds1")}));
  Invalid("reverse-twice", t::Request({Id(t::Donation(Gbp(100)), "d1"), Id(t::Reversal("d1"), "r1"),
                                       Id(t::Reversal("d1"), "r2")}));
  Invalid("reverse-registration",
          t::Request({Id(t::Beneficiary("lawyer"), "b1"), Id(t::Reversal("b1"), "r1")}));
  // Refused by ValidateInput.
  Invalid("empty-id", t::Request({Id(t::Donation(Gbp(1)), "")}));
  Invalid("bad-utf8", t::Request({Id(t::Beneficiary("lawyer", "\xc3\x28"), "b1")}));
  Invalid("zero-amount", t::Request({Id(t::Donation(Gbp(0)), "d1")}));
  Invalid("bad-date", [] {
    v1::EventInput in = Id(t::Donation(Gbp(1)), "d1");
    in.set_occurred_on("2026-02-29");
    return t::Request({in});
  }());
  Invalid("no-body", [] {
    v1::EventInput in = Id(t::Donation(Gbp(1)), "d1");
    in.clear_body();
    return t::Request({in});
  }());
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds tests/fuzz/corpus\n");
    return 2;
  }
  ledger::g_dir = argv[1];
  ledger::MoneySeeds();
  ledger::RecordSeeds();
  ledger::AppendSeeds();
  return 0;
}
