// Goal: private details never reach a disk, a backup or a reader that may
// not see them; nobody can confirm a guess of one from what is public; an
// erasure destroys them for good while every hash and balance still holds
// (shared/DESIGN.md, "Private details"; docs/SECURITY.md).
//
// Everything here runs on a real ledger (RocksDB in a temp directory); the
// scans read every byte of every file the ledger (or its backup) has.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/audit/backup.h"
#include "ledger/audit/export.h"
#include "ledger/audit/replay.h"
#include "ledger/audit/statements.h"
#include "ledger/crypto/keyring.h"
#include "ledger/hash.h"
#include "ledger/storage/records.h"
#include "ledger/views/queries.h"
#include "ledger/writer/requests.h"
#include "tests/testing/temp_ledger.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

namespace fs = std::filesystem;
using ::ledger::testing::AllDetails;
using ::ledger::testing::Beneficiary;
using ::ledger::testing::Disbursement;
using ::ledger::testing::Donation;
using ::ledger::testing::Gbp;
using ::ledger::testing::IsOk;
using ::ledger::testing::KeyedOptions;
using ::ledger::testing::Reason;
using ::ledger::testing::Request;
using ::ledger::testing::Reversal;
using ::ledger::testing::StatusIs;
using ::ledger::testing::TempDir;
using ::ledger::testing::TempLedger;
using ::ledger::testing::WithId;

// The private details the campaign below records, each unlike anything
// else in a ledger, so that a scan finding one means it leaked.
constexpr char kDonorRef[] = "supporter-17-almaty";
constexpr char kOtherDonor[] = "supporter-3-astana";
constexpr char kBankRef[] = "KZ-BANKREF-99120";
constexpr char kMemo[] = "met at the picket on Abay street";
constexpr char kPayee[] = "advocate-Zhanna-K";
constexpr char kSensitivePurpose[] = "bail for the jailed lawyer Erzhan";
constexpr char kReason[] = "refund asked by the donor's sister";
constexpr char kActor[] = "treasurer:aigerim";

std::vector<std::string> Plaintexts() {
  return {kDonorRef, kOtherDonor, kBankRef, kMemo, kPayee, kSensitivePurpose, kReason, kActor};
}

// Every file under `dir` (recursively), concatenated with its name.
std::vector<std::pair<std::string, std::string>> FilesUnder(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    out.emplace_back(entry.path().string(), s.str());
  }
  return out;
}

// The files under `dir` holding `needle`, "" if none.
std::string FilesHolding(const fs::path& dir, absl::string_view needle) {
  std::string found;
  for (const auto& [name, bytes] : FilesUnder(dir)) {
    if (bytes.find(std::string(needle)) != std::string::npos) absl::StrAppend(&found, name, " ");
  }
  return found;
}

std::vector<std::string> RowsOf(EventLog& log, const char* cf) {
  std::vector<std::string> rows;
  std::unique_ptr<rocksdb::Iterator> it(log.database().raw_for_testing()->NewIterator(
      rocksdb::ReadOptions(), log.database().cf(cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) rows.push_back(it->value().ToString());
  return rows;
}

v1::EventInput DonationFrom(absl::string_view donor, int64_t minor, absl::string_view id) {
  v1::EventInput in = WithId(Donation(Gbp(minor)), id);
  in.mutable_body()->mutable_donation_received()->set_donor_ref(std::string(donor));
  in.mutable_body()->mutable_donation_received()->set_reference(kBankRef);
  return in;
}

// An event with only its id and date (the test clock's day).
v1::EventInput Bare(absl::string_view id) {
  v1::EventInput in;
  in.set_event_id(std::string(id));
  in.set_occurred_on("2026-03-01");
  return in;
}

class PrivateDetailsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(ledger_.Open(), IsOk()); }

  // A small campaign with every kind of private detail.
  void RecordCampaign() {
    v1::EventInput secret = WithId(Beneficiary("lawyer", "Legal aid"), "reg-lawyer");
    secret.mutable_body()->mutable_beneficiary_registered()->set_sensitive(true);
    secret.mutable_body()->mutable_beneficiary_registered()->set_purpose(kSensitivePurpose);
    v1::EventInput gift = DonationFrom(kDonorRef, 5000, "gift-1");
    gift.set_memo(kMemo);
    v1::EventInput pay = WithId(Disbursement("lawyer", Gbp(1500)), "pay-1");
    pay.mutable_body()->mutable_disbursement_made()->set_payee(kPayee);
    v1::EventInput earmarked = WithId(Donation(Gbp(3000), "lawyer"), "gift-lawyer");
    earmarked.mutable_body()->mutable_donation_received()->set_donor_ref(kDonorRef);
    v1::EventInput refund = WithId(Reversal("gift-1", v1::REVERSAL_KIND_REFUND, 500, "GBP"), "rf");
    refund.mutable_body()->mutable_event_reversed()->set_reason(kReason);
    for (v1::EventInput in : {secret, gift, earmarked, pay, DonationFrom(kOtherDonor, 700, "gift-2"),
                              refund}) {
      ASSERT_THAT(ledger_.log().Append(Request({in}), kActor), IsOk()) << in.event_id();
    }
  }

  // What a reader without the details is told of every event and fund.
  std::string PublicAnswers() {
    auto view = ledger_.log().NewReadView();
    std::string out;
    auto events = QueryEvents(*view, 1, 1000);
    EXPECT_THAT(events, IsOk());
    if (events.ok()) out += events->DebugString();
    auto funds = QueryBeneficiaries(*view, true);
    if (funds.ok()) out += funds->DebugString();
    for (ExportTable t : {ExportTable::kEvents, ExportTable::kPostings}) {
      std::ostringstream csv;
      EXPECT_THAT(ExportFromView(*view, t, ExportFormat::kJsonLines, csv), IsOk());
      out += csv.str();
    }
    auto statement = FundStatement(*view, "lawyer", [] {
      v1::DateRange r;
      r.set_from_date("2026-01-01");
      r.set_to_date("2026-12-31");
      return r;
    }());
    if (statement.ok()) out += statement->DebugString();
    return out;
  }

  TempLedger ledger_;
};

TEST_F(PrivateDetailsTest, NoDetailIsInAnyFileOfTheDataDirectoryOrOfABackup) {
  RecordCampaign();
  TempDir backups;
  ASSERT_THAT(CreateBackup(ledger_.log(), backups.path()), IsOk());
  // The WAL and the memtables flushed to SST files too: every form on disk.
  ASSERT_TRUE(ledger_.log().database().raw_for_testing()->Flush(rocksdb::FlushOptions()).ok());
  ledger_.Close();
  for (const std::string& p : Plaintexts()) {
    EXPECT_EQ(FilesHolding(ledger_.path(), p), "") << p << " is in the data directory";
    EXPECT_EQ(FilesHolding(backups.path(), p), "") << p << " is in the backup";
  }
  // The public purpose of a fund that is not sensitive is public by design.
  ASSERT_THAT(ledger_.Open(), IsOk());
  EXPECT_THAT(ledger_.log().Append(Request({WithId(Beneficiary("open-fund", "Open"), "o")})),
              IsOk());
}

TEST_F(PrivateDetailsTest, ReadersWithoutTheDetailsGetNoneAndTheKeyHolderGetsThemExactly) {
  RecordCampaign();
  const std::string answers = PublicAnswers();
  for (const std::string& p : Plaintexts()) {
    EXPECT_EQ(answers.find(p), std::string::npos) << p << " reached a reader without details";
  }
  EXPECT_NE(answers.find("(withheld)"), std::string::npos);
  auto view = ledger_.log().NewReadView();
  v1::GetEventRequest req;
  req.set_event_id("gift-1");
  auto withheld = QueryEvent(*view, req);
  ASSERT_THAT(withheld, IsOk());
  EXPECT_EQ(withheld->private_details(), v1::DETAIL_STATE_WITHHELD);
  EXPECT_EQ(withheld->private_commitment().size(), 32u);
  EXPECT_EQ(withheld->body().donation_received().donor_ref(), "");
  EXPECT_EQ(withheld->body().donation_received().amount().amount_minor(), 5000);
  auto shown = QueryEvent(*view, req, AllDetails(ledger_.log()));
  ASSERT_THAT(shown, IsOk());
  EXPECT_EQ(shown->private_details(), v1::DETAIL_STATE_SHOWN);
  EXPECT_EQ(shown->body().donation_received().donor_ref(), kDonorRef);
  EXPECT_EQ(shown->body().donation_received().reference(), kBankRef);
  EXPECT_EQ(shown->memo(), kMemo);
  EXPECT_EQ(shown->actor(), kActor);
  auto fund = QueryBeneficiary(*view, "lawyer", AllDetails(ledger_.log()));
  ASSERT_THAT(fund, IsOk());
  EXPECT_EQ(fund->beneficiary().purpose(), kSensitivePurpose);
  // The ledger opened read-only without its key reads the public parts.
  view.reset();
  ledger_.Close();
  EventLogOptions ro;
  ro.read_only = true;
  auto keyless = EventLog::Open(ledger_.path(), ro);
  ASSERT_THAT(keyless, IsOk());
  auto v = (*keyless)->NewReadView();
  auto again = QueryEvent(*v, req, {(*keyless)->keyring(), /*allowed=*/true});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->private_details(), v1::DETAIL_STATE_WITHHELD);
  EXPECT_EQ(again->body().donation_received().donor_ref(), "");
  auto chain = VerifyChain(*v, 0, 0);
  ASSERT_THAT(chain, IsOk());
  EXPECT_TRUE(chain->ok);
  auto rebuild = RebuildAndCompare(*v);
  ASSERT_THAT(rebuild, IsOk());
  EXPECT_TRUE(rebuild->match);
}

std::string Sha256(absl::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof(out));
}

// The attacker of the issue: everything a reader without the details gets
// (the stored record's public part, hashes, positions, times, the ledger
// id), and a list of candidate donor references holding the true one. Each
// way the old format let a guess be checked, and the obvious others, must
// match nothing public, for every candidate.
TEST_F(PrivateDetailsTest, NobodyCanConfirmAGuessedDonorFromWhatIsPublic) {
  RecordCampaign();
  auto view = ledger_.log().NewReadView();
  v1::GetEventRequest req;
  req.set_event_id("gift-1");
  auto pub = QueryEvent(*view, req);
  ASSERT_THAT(pub, IsOk());
  auto stored = view->GetEvent(pub->position());
  ASSERT_THAT(stored, IsOk());
  std::vector<std::string> public_values = {pub->hash(), pub->prev_hash(),
                                            pub->private_commitment(), stored->payload_bytes};
  std::vector<std::string> candidates;
  for (int i = 0; i < 2000; ++i) candidates.push_back(absl::StrCat("supporter-", i, "-almaty"));
  candidates.push_back(kDonorRef);
  int tried = 0;
  for (const std::string& guess : candidates) {
    // The full payload the old format stored and hashed, with the guess.
    v1::EventPayload full = stored->payload;
    full.clear_private_commitment();
    full.set_actor(kActor);
    full.set_memo(kMemo);
    full.mutable_body()->mutable_donation_received()->set_donor_ref(guess);
    full.mutable_body()->mutable_donation_received()->set_reference(kBankRef);
    const std::string bytes = SerializeDeterministic(full);
    v1::EventPayload details;
    details.set_actor(kActor);
    details.set_memo(kMemo);
    details.mutable_body()->mutable_donation_received()->set_donor_ref(guess);
    details.mutable_body()->mutable_donation_received()->set_reference(kBankRef);
    v1::PrivatePart unsalted;
    *unsalted.mutable_details() = details;
    unsalted.set_salt(std::string(32, '\0'));
    const std::vector<std::string> derived = {
        ChainHash(view->ledger_id(), pub->position(), pub->prev_hash(), bytes),
        Sha256(guess),
        Sha256(bytes),
        Sha256(absl::StrCat("solidarity-ledger/private/v1", SerializeDeterministic(details))),
        Sha256(absl::StrCat("solidarity-ledger/private/v1", std::string(32, '\0'),
                            SerializeDeterministic(details))),
        Sha256(SerializeDeterministic(unsalted)),
    };
    for (const std::string& d : derived) {
      ++tried;
      for (const std::string& p : public_values) {
        EXPECT_EQ(p.find(d), std::string::npos) << "a guess of " << guess << " is confirmed";
      }
    }
    // And no public value holds the guess itself.
    for (const std::string& p : public_values) EXPECT_EQ(p.find(guess), std::string::npos);
  }
  EXPECT_EQ(tried, 6 * 2001);
}

// What is public does not depend on a detail except through its salted
// commitment: the same event with another donor has the same public part,
// and the same donor twice has two unrelated commitments.
TEST_F(PrivateDetailsTest, ThePublicPartDoesNotDependOnTheDetails) {
  ASSERT_THAT(ledger_.Append({DonationFrom(kDonorRef, 100, "a"), DonationFrom(kDonorRef, 100, "b"),
                              DonationFrom(kOtherDonor, 100, "c")}),
              IsOk());
  auto view = ledger_.log().NewReadView();
  std::vector<v1::EventPayload> payloads;
  for (uint64_t p = 2; p <= 4; ++p) {
    auto e = view->GetEvent(p);
    ASSERT_THAT(e, IsOk());
    payloads.push_back(e->payload);
  }
  EXPECT_NE(payloads[0].private_commitment(), payloads[1].private_commitment());
  for (v1::EventPayload& p : payloads) {
    EXPECT_EQ(p.private_commitment().size(), 32u);
    p.clear_private_commitment();
    p.clear_event_id();
  }
  EXPECT_EQ(SerializeDeterministic(payloads[0]), SerializeDeterministic(payloads[2]));
  EXPECT_EQ(SerializeDeterministic(payloads[0]), SerializeDeterministic(payloads[1]));
}

TEST_F(PrivateDetailsTest, ErasingAPartyDestroysItsDetailsForGoodAndKeepsTheBooks) {
  RecordCampaign();
  auto before = ledger_.log().NewReadView();
  const std::string funds_before = testing::RenderFunds(*before);
  const std::string sums_before = testing::TrialBalanceSums(*before);
  before.reset();
  const std::vector<std::string> keys_before = RowsOf(ledger_.log(), kKeysCf);
  ASSERT_EQ(keys_before.size(), 3u) << "one data key per party: two donors and a payee";

  v1::EventInput erase = Bare("erase-17");
  erase.mutable_body()->mutable_party_erased()->set_party_ref(kDonorRef);
  erase.mutable_body()->mutable_party_erased()->set_reason("asked to be forgotten");
  ASSERT_THAT(ledger_.Append({erase}), IsOk());

  const std::vector<std::string> keys_after = RowsOf(ledger_.log(), kKeysCf);
  ASSERT_EQ(keys_after.size(), 2u);
  std::string erased_key;
  for (const std::string& k : keys_before) {
    if (std::find(keys_after.begin(), keys_after.end(), k) == keys_after.end()) erased_key = k;
  }
  ASSERT_FALSE(erased_key.empty());
  // The wrapped key of the erased party is in no live file once the erasure
  // is answered (WAL files included); the others still are.
  EXPECT_EQ(FilesHolding(ledger_.path(), erased_key), "");
  EXPECT_NE(FilesHolding(ledger_.path(), keys_after[0]), "");
  // The party's reference is not in the erasure's record either.
  EXPECT_EQ(FilesHolding(ledger_.path(), kDonorRef), "");

  auto view = ledger_.log().NewReadView();
  EXPECT_EQ(testing::RenderFunds(*view), funds_before);
  EXPECT_EQ(testing::TrialBalanceSums(*view), sums_before);
  auto chain = VerifyChain(*view, 0, 0);
  ASSERT_THAT(chain, IsOk());
  EXPECT_TRUE(chain->ok);
  auto rebuild = RebuildAndCompare(*view);
  ASSERT_THAT(rebuild, IsOk());
  EXPECT_TRUE(rebuild->match);
  for (const char* id : {"gift-1", "gift-lawyer"}) {
    v1::GetEventRequest req;
    req.set_event_id(id);
    auto e = QueryEvent(*view, req, AllDetails(ledger_.log()));
    ASSERT_THAT(e, IsOk());
    EXPECT_EQ(e->private_details(), v1::DETAIL_STATE_ERASED) << id;
    EXPECT_EQ(e->body().donation_received().donor_ref(), "");
  }
  v1::GetEventRequest other;
  other.set_event_id("gift-2");
  auto kept = QueryEvent(*view, other, AllDetails(ledger_.log()));
  ASSERT_THAT(kept, IsOk());
  EXPECT_EQ(kept->body().donation_received().donor_ref(), kOtherDonor);
  std::ostringstream csv;
  ASSERT_THAT(ExportFromView(*view, ExportTable::kEvents, ExportFormat::kCsv, csv, {},
                             AllDetails(ledger_.log())),
              IsOk());
  EXPECT_NE(csv.str().find("gift-1,2026-03-01"), std::string::npos);
  EXPECT_NE(csv.str().find("(erased)"), std::string::npos);
  EXPECT_NE(csv.str().find(kOtherDonor), std::string::npos);
  EXPECT_EQ(csv.str().find(kDonorRef), std::string::npos);

  // Again, or a party never recorded: refused, nothing written.
  v1::EventInput again = erase;
  again.set_event_id("erase-17-again");
  auto refused = ledger_.ExpectRefused(Request({again}), absl::StatusCode::kNotFound,
                                       "UNKNOWN_PARTY");
  v1::EventInput unknown = erase;
  unknown.set_event_id("erase-nobody");
  unknown.mutable_body()->mutable_party_erased()->set_party_ref("never-seen");
  ledger_.ExpectRefused(Request({unknown}), absl::StatusCode::kNotFound, "UNKNOWN_PARTY");
}

TEST_F(PrivateDetailsTest, ErasingOneEventsDetailsLeavesItsMoneyAndTheOtherEvents) {
  RecordCampaign();
  auto view = ledger_.log().NewReadView();
  v1::GetEventRequest req;
  req.set_event_id("rf");
  auto target = QueryEvent(*view, req);
  ASSERT_THAT(target, IsOk());
  auto sealed = view->GetSealedPart(target->position());
  ASSERT_THAT(sealed, IsOk());
  ASSERT_TRUE(sealed->has_value());
  view.reset();
  v1::EventInput erase = Bare("erase-rf");
  erase.mutable_body()->mutable_event_details_erased()->set_target_event_id("rf");
  erase.mutable_body()->mutable_event_details_erased()->set_reason("typed a name by mistake");
  ASSERT_THAT(ledger_.Append({erase}), IsOk());
  EXPECT_EQ(FilesHolding(ledger_.path(), **sealed), "");
  view = ledger_.log().NewReadView();
  auto after = QueryEvent(*view, req, AllDetails(ledger_.log()));
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->private_details(), v1::DETAIL_STATE_ERASED);
  EXPECT_EQ(after->body().event_reversed().amount().amount_minor(), 500);
  EXPECT_EQ(after->hash(), target->hash());
  req.set_event_id("gift-1");
  auto other = QueryEvent(*view, req, AllDetails(ledger_.log()));
  ASSERT_THAT(other, IsOk());
  EXPECT_EQ(other->memo(), kMemo);
  erase.set_event_id("erase-rf-again");
  ledger_.ExpectRefused(Request({erase}), absl::StatusCode::kFailedPrecondition, "ALREADY_ERASED");
  erase.set_event_id("erase-none");
  erase.mutable_body()->mutable_event_details_erased()->set_target_event_id("no-such-event");
  ledger_.ExpectRefused(Request({erase}), absl::StatusCode::kNotFound, "UNKNOWN_EVENT");
}

// A reader's snapshot taken before an erasure keeps the erased rows alive
// in RocksDB; the ledger finishes the job once it is released.
TEST_F(PrivateDetailsTest, AnErasureHeldUpByAReaderFinishesOnceTheReaderIsDone) {
  RecordCampaign();
  const std::vector<std::string> keys_before = RowsOf(ledger_.log(), kKeysCf);
  auto reader = ledger_.log().NewReadView();
  v1::EventInput erase = Bare("erase-17");
  erase.mutable_body()->mutable_party_erased()->set_party_ref(kDonorRef);
  erase.mutable_body()->mutable_party_erased()->set_reason("asked to be forgotten");
  ASSERT_THAT(ledger_.Append({erase}), IsOk());
  const std::vector<std::string> keys_after = RowsOf(ledger_.log(), kKeysCf);
  std::string erased_key;
  for (const std::string& k : keys_before) {
    if (std::find(keys_after.begin(), keys_after.end(), k) == keys_after.end()) erased_key = k;
  }
  ASSERT_FALSE(erased_key.empty());
  // The old reader still sees what it saw.
  v1::GetEventRequest req;
  req.set_event_id("gift-1");
  auto seen = QueryEvent(*reader, req, AllDetails(ledger_.log()));
  ASSERT_THAT(seen, IsOk());
  EXPECT_EQ(seen->body().donation_received().donor_ref(), kDonorRef);
  reader.reset();
  // Bounded wait for the writer's retry (every 100 ms).
  std::string holding = "not yet scanned";
  for (int i = 0; i < 100 && !holding.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    holding = FilesHolding(ledger_.path(), erased_key);
  }
  EXPECT_EQ(holding, "");
}

TEST_F(PrivateDetailsTest, AFundMadeSensitiveLaterLeavesPublicViews) {
  v1::EventInput reg = WithId(Beneficiary("medic", "Medical aid"), "reg-medic");
  reg.mutable_body()->mutable_beneficiary_registered()->set_purpose("surgery in Almaty clinic 4");
  v1::EventInput pay = WithId(Disbursement("medic", Gbp(100)), "pay-before");
  pay.mutable_body()->mutable_disbursement_made()->set_purpose("clinic 4 deposit");
  ASSERT_THAT(ledger_.Append({reg, WithId(Donation(Gbp(1000), "medic"), "g"), pay}), IsOk());
  auto view = ledger_.log().NewReadView();
  auto fund = QueryBeneficiary(*view, "medic");
  ASSERT_THAT(fund, IsOk());
  EXPECT_EQ(fund->beneficiary().purpose(), "surgery in Almaty clinic 4");  // public so far

  v1::EventInput update = Bare("now-sensitive");
  update.mutable_body()->mutable_beneficiary_updated()->set_beneficiary_id("medic");
  update.mutable_body()->mutable_beneficiary_updated()->set_sensitive(true);
  v1::EventInput pay2 = WithId(Disbursement("medic", Gbp(200)), "pay-after");
  pay2.mutable_body()->mutable_disbursement_made()->set_purpose("clinic 4 second payment");
  ASSERT_THAT(ledger_.Append({update, pay2}), IsOk());
  view = ledger_.log().NewReadView();
  fund = QueryBeneficiary(*view, "medic");
  ASSERT_THAT(fund, IsOk());
  EXPECT_TRUE(fund->beneficiary().sensitive());
  EXPECT_EQ(fund->beneficiary().purpose(), "");
  auto events = QueryEvents(*view, 1, 100);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ(events->DebugString().find("clinic 4"), std::string::npos) << events->DebugString();
  // The new purpose is sealed; the committee still sees every purpose.
  auto all = QueryEvents(*view, 1, 100, AllDetails(ledger_.log()));
  ASSERT_THAT(all, IsOk());
  EXPECT_NE(all->DebugString().find("clinic 4 second payment"), std::string::npos);
  EXPECT_NE(all->DebugString().find("clinic 4 deposit"), std::string::npos);
  view.reset();
  ledger_.Close();
  EXPECT_EQ(FilesHolding(ledger_.path(), "clinic 4 second payment"), "");
  ASSERT_THAT(ledger_.Open(), IsOk());
  // A sensitive fund is not made public again.
  v1::EventInput back = Bare("public-again");
  back.mutable_body()->mutable_beneficiary_updated()->set_beneficiary_id("medic");
  back.mutable_body()->mutable_beneficiary_updated()->set_sensitive(false);
  ledger_.ExpectRefused(Request({back}), absl::StatusCode::kFailedPrecondition,
                        "ALREADY_SENSITIVE");
}

// ------------------------------------------------------------------ keys

TEST(PrivateKeyTest, ALedgerRefusesAWrongOrMissingKeyWithOneClearLine) {
  TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  ledger.Close();
  EventLogOptions wrong;
  wrong.private_key = std::string(kDataKeySize, '\x01');
  auto a = EventLog::Open(ledger.path(), wrong);
  EXPECT_THAT(a, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Reason(a.status()), "KEY_FILE");
  EXPECT_NE(a.status().message().find("does not belong"), absl::string_view::npos);
  auto b = EventLog::Open(ledger.path(), EventLogOptions());
  EXPECT_THAT(b, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Reason(b.status()), "KEY_FILE");
  TempDir dir;
  auto c = EventLog::Open(dir.Sub("new"), EventLogOptions());
  EXPECT_THAT(c, StatusIs(absl::StatusCode::kFailedPrecondition));
  EventLogOptions short_key;
  short_key.private_key = "0123";
  EXPECT_THAT(EventLog::Open(ledger.path(), short_key),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(PrivateKeyTest, KeyFilesAreReadOnlyWhenTheyAreKeysOnlyTheirOwnerCanRead) {
  TempDir dir;
  const std::string path = dir.Sub("ledger.key");
  ASSERT_THAT(CreateKeyFile(path), IsOk());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = ReadKeyFile(path);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->size(), kDataKeySize);
  EXPECT_THAT(CreateKeyFile(path), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(*ReadKeyFile(path), *key) << "a refused create leaves the key alone";

  chmod(path.c_str(), 0640);
  auto shared = ReadKeyFile(path);
  EXPECT_THAT(shared, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_NE(shared.status().message().find("chmod 600"), absl::string_view::npos);
  chmod(path.c_str(), 0604);
  EXPECT_THAT(ReadKeyFile(path), StatusIs(absl::StatusCode::kFailedPrecondition));
  chmod(path.c_str(), 0600);

  auto write = [&](const std::string& name, const std::string& text) {
    const std::string p = dir.Sub(name);
    std::ofstream(p) << text;
    chmod(p.c_str(), 0600);
    return p;
  };
  for (const auto& [name, text] :
       std::vector<std::pair<std::string, std::string>>{{"empty", ""},
                                                        {"short", std::string(63, 'a')},
                                                        {"long", std::string(66, 'a')},
                                                        {"not-hex", std::string(64, 'g')},
                                                        {"binary", std::string(32, '\x7f')},
                                                        {"two-lines", std::string(64, 'a') + "\n\n"}}) {
    auto r = ReadKeyFile(write(name, text));
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition)) << name;
    EXPECT_NE(r.status().message().find("does not hold a key"), absl::string_view::npos) << name;
  }
  EXPECT_THAT(ReadKeyFile(dir.Sub("missing")), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(ReadKeyFile(dir.path()), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(PrivateKeyTest, SealedPartsOpenOnlyWithTheirKeyAndContext) {
  const std::string key = RandomBytes(kDataKeySize);
  const std::string sealed = Seal(key, "secret", "context-1");
  EXPECT_EQ(sealed.size(), kGcmNonceSize + 6 + kGcmTagSize);
  EXPECT_EQ(*Unseal(key, sealed, "context-1"), "secret");
  EXPECT_THAT(Unseal(key, sealed, "context-2"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Unseal(RandomBytes(kDataKeySize), sealed, "context-1"),
              StatusIs(absl::StatusCode::kDataLoss));
  std::string flipped = sealed;
  flipped[kGcmNonceSize] ^= 1;
  EXPECT_THAT(Unseal(key, flipped, "context-1"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Unseal(key, sealed.substr(0, 10), "context-1"),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_NE(Seal(key, "secret", "context-1"), sealed) << "a fresh nonce each time";
}

// A sealed part copied from one event onto another is refused: it does not
// match the other's commitment (and its context names its own position).
TEST(PrivateKeyTest, ASealedPartMovedToAnotherEventIsRefused) {
  TempLedger ledger;
  ASSERT_THAT(ledger.Open(), IsOk());
  ASSERT_THAT(ledger.Append({DonationFrom(kDonorRef, 100, "a"), DonationFrom(kOtherDonor, 100, "b")}),
              IsOk());
  auto view = ledger.log().NewReadView();
  auto part_a = view->GetSealedPart(2);
  ASSERT_THAT(part_a, IsOk());
  ASSERT_TRUE(part_a->has_value());
  view.reset();
  auto* db = ledger.log().database().raw_for_testing();
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions(), ledger.log().database().cf(kPrivateCf)));
  std::vector<std::string> keys;
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
  ASSERT_GE(keys.size(), 2u);
  // Put a's sealed part where b's is.
  for (const std::string& k : keys) {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), ledger.log().database().cf(kPrivateCf), k, &value)
                    .ok());
    if (value != **part_a) {
      ASSERT_TRUE(
          db->Put(rocksdb::WriteOptions(), ledger.log().database().cf(kPrivateCf), k, **part_a)
              .ok());
    }
  }
  view = ledger.log().NewReadView();
  v1::GetEventRequest req;
  req.set_event_id("b");
  EXPECT_THAT(QueryEvent(*view, req, AllDetails(ledger.log())),
              StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace ledger
