// Goal: the public and viewers never receive a sensitive fund's id, an
// event id or a disbursement request id, over real gRPC on loopback: every
// read they may make (unary and both streams) is searched, byte by byte, for
// the real ids, and holds aliases instead ("fund@P", "event@P",
// "request@P"); an alias names the thing in a request; a real id asked for
// is answered exactly as an id that does not exist; lists are in public
// order and page by public id; a stored record (which holds the real ids)
// goes only to those who see identities. Treasurers, approvers, auditors
// and admins get the real ids.
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "ledger/errors.h"
#include "services/grpc_status.h"
#include "solidarity/ledger/v1/ledger.grpc.pb.h"
#include "tests/testing/test_server.h"
#include "tests/testing/test_util.h"

namespace ledger {
namespace {

using ::ledger::testing::Gbp;
using ::ledger::testing::Request;
using ::ledger::testing::WithId;

// The real ids the masked callers must never receive.
const char* const kSecrets[] = {"ivanov", "reg-hidden", "gift-hidden", "alloc-hidden",
                                "req-ev", "pay-ivanov", "gift-plain"};

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  return ctx;
}

class IdentitiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), testing::IsOk());
    for (const auto& [who, role] :
         std::vector<std::pair<std::string, v1::Role>>{{"viewer", v1::ROLE_VIEWER},
                                                       {"treasurer", v1::ROLE_TREASURER},
                                                       {"approver", v1::ROLE_APPROVER},
                                                       {"auditor", v1::ROLE_AUDITOR}}) {
      absl::StatusOr<std::string> token = server_.AddMember(absl::StrCat("m-", who), {role});
      ASSERT_TRUE(token.ok()) << token.status();
      channels_[who] = server_.ChannelAs(*token);
    }
    channels_["public"] = server_.ChannelAs(std::nullopt);

    v1::EventInput hidden = WithId(testing::Beneficiary("ivanov-family", "Family A"), "reg-hidden");
    hidden.mutable_body()->mutable_beneficiary_registered()->set_sensitive(true);
    v1::EventInput plain = WithId(testing::Beneficiary("legal-aid", "Legal aid"), "reg-plain");
    plain.mutable_body()->mutable_beneficiary_registered()->set_purpose(
        "Lawyers, with Ivanov-Family's consent");
    ASSERT_TRUE(Append("treasurer", {hidden, plain}));
    hidden_position_ = server_.Head().position() - 1;
    ASSERT_TRUE(Append(
        "treasurer",
        {testing::Donation(Gbp(1000)),
         WithId(testing::Donation(Gbp(5000), "ivanov-family"), "gift-hidden"),
         WithId(testing::Donation(Gbp(2000)), "gift-plain"),
         WithId(testing::Allocation("ivanov-family", Gbp(500)), "alloc-hidden"),
         WithId(testing::PaymentRequest("pay-ivanov", "ivanov-family", Gbp(1000)), "req-ev")}));
    request_position_ = server_.Head().position();
    gift_plain_position_ = request_position_ - 2;
    ASSERT_TRUE(Append("approver", {testing::Approval("pay-ivanov")}));
    ASSERT_TRUE(Append("treasurer", {testing::Payment("pay-ivanov", "ivanov-family", Gbp(1000)),
                                     testing::Reversal("gift-plain")}));
  }

  bool Append(const std::string& who, std::initializer_list<v1::EventInput> events) {
    auto stub = v1::LedgerCommands::NewStub(channels_.at(who));
    v1::AppendResponse out;
    grpc::Status s = stub->Append(Context().get(), Request(events), &out);
    EXPECT_TRUE(s.ok()) << who << ": " << s.error_message();
    return s.ok();
  }

  // Every answer `who` may read, serialised, by name.
  std::map<std::string, std::string> Answers(const std::string& who) {
    std::map<std::string, std::string> out;
    auto queries = v1::LedgerQueries::NewStub(channels_.at(who));
    auto audit = v1::LedgerAudit::NewStub(channels_.at(who));
    const bool member = who != "public";
    auto keep = [&](const std::string& name, const grpc::Status& s,
                    const google::protobuf::Message& m) {
      EXPECT_TRUE(s.ok()) << name << " by " << who << ": " << s.error_message();
      out[name] = m.SerializeAsString();
    };
    {
      v1::GetSummaryResponse r;
      keep("summary", queries->GetSummary(Context().get(), {}, &r), r);
    }
    {
      v1::ListBeneficiariesRequest q;
      q.set_include_closed(true);
      v1::ListBeneficiariesResponse r;
      keep("beneficiaries", queries->ListBeneficiaries(Context().get(), q, &r), r);
    }
    {
      v1::GetBeneficiaryRequest q;
      q.set_beneficiary_id(member && who != "viewer" ? "ivanov-family" : Alias());
      v1::GetBeneficiaryResponse r;
      keep("beneficiary", queries->GetBeneficiary(Context().get(), q, &r), r);
    }
    {
      v1::GetHeadResponse r;
      keep("head", audit->GetHead(Context().get(), {}, &r), r);
    }
    {
      v1::VerifyChainResponse r;
      keep("verify", audit->VerifyChain(Context().get(), {}, &r), r);
    }
    {
      auto ctx = Context();
      auto reader = queries->WatchBalances(ctx.get(), {});
      v1::WatchBalancesResponse r, all;
      while (reader->Read(&r)) {
        all.MergeFrom(r);
        if (!r.more_parts()) break;
      }
      ctx->TryCancel();
      out["watch"] = all.SerializeAsString();
    }
    if (!member) return out;
    {
      v1::GetTrialBalanceResponse r;
      keep("trial", queries->GetTrialBalance(Context().get(), {}, &r), r);
    }
    {
      v1::GetFundStatementRequest q;
      q.set_fund(who == "viewer" ? Alias() : "ivanov-family");
      q.mutable_range()->set_from_date("2020-01-01");
      q.mutable_range()->set_to_date("2030-12-31");
      v1::GetFundStatementResponse r;
      keep("statement", queries->GetFundStatement(Context().get(), q, &r), r);
    }
    {
      v1::ListDisbursementRequestsRequest q;
      q.set_include_closed(true);
      v1::ListDisbursementRequestsResponse r;
      keep("requests", queries->ListDisbursementRequests(Context().get(), q, &r), r);
    }
    {
      v1::ReadEventsResponse r;
      keep("events", audit->ReadEvents(Context().get(), {}, &r), r);
    }
    {
      auto ctx = Context();
      auto reader = audit->Subscribe(ctx.get(), {});
      v1::SubscribeResponse r;
      std::string all;
      while (reader->Read(&r) && !r.has_caught_up()) all += r.SerializeAsString();
      ctx->TryCancel();
      out["subscribe"] = all;
    }
    return out;
  }

  std::string Alias() const { return absl::StrCat("fund@", hidden_position_); }

  testing::TestServer server_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  uint64_t hidden_position_ = 0;
  uint64_t request_position_ = 0;
  uint64_t gift_plain_position_ = 0;
};

TEST_F(IdentitiesTest, ThePublicAndViewersNeverReceiveARealIdAndGetAliases) {
  for (const std::string who : {"public", "viewer"}) {
    const std::map<std::string, std::string> answers = Answers(who);
    for (const auto& [name, bytes] : answers) {
      const std::string lower = absl::AsciiStrToLower(bytes);
      for (const char* secret : kSecrets) {
        EXPECT_FALSE(absl::StrContains(lower, secret))
            << who << "'s " << name << " holds \"" << secret << "\"";
      }
    }
    EXPECT_TRUE(absl::StrContains(answers.at("beneficiaries"), Alias())) << who;
    EXPECT_TRUE(absl::StrContains(answers.at("beneficiaries"), "legal-aid")) << who;
    // Free text naming the fund is scrubbed, not dropped.
    EXPECT_TRUE(absl::StrContains(answers.at("beneficiaries"),
                                  absl::StrCat("Lawyers, with ", Alias(), "'s consent")))
        << who;
    EXPECT_TRUE(absl::StrContains(answers.at("watch"), absl::StrCat("beneficiary/", Alias())))
        << who;
    if (who == "viewer") {
      const std::string request_alias = absl::StrCat("request@", request_position_);
      EXPECT_TRUE(absl::StrContains(answers.at("requests"), request_alias));
      EXPECT_TRUE(absl::StrContains(answers.at("events"), request_alias));
      EXPECT_TRUE(absl::StrContains(answers.at("subscribe"), request_alias));
      // The reversal names its target by position.
      EXPECT_TRUE(
          absl::StrContains(answers.at("events"), absl::StrCat("event@", gift_plain_position_)));
      EXPECT_TRUE(
          absl::StrContains(answers.at("trial"), absl::StrCat("fund:beneficiary/", Alias())));
      EXPECT_TRUE(
          absl::StrContains(answers.at("statement"), absl::StrCat("beneficiary/", Alias())));
    }
  }
}

TEST_F(IdentitiesTest, ThoseWhoSeeIdentitiesGetTheRealIds) {
  for (const std::string who : {"treasurer", "approver", "auditor"}) {
    const std::map<std::string, std::string> answers = Answers(who);
    EXPECT_TRUE(absl::StrContains(answers.at("beneficiaries"), "ivanov-family")) << who;
    EXPECT_FALSE(absl::StrContains(answers.at("beneficiaries"), "fund@")) << who;
    EXPECT_TRUE(absl::StrContains(answers.at("requests"), "pay-ivanov")) << who;
    EXPECT_TRUE(absl::StrContains(answers.at("events"), "gift-hidden")) << who;
    EXPECT_TRUE(absl::StrContains(answers.at("subscribe"), "gift-hidden")) << who;
  }
}

// What NOT_FOUND says, by code, reason, fund and message.
std::string NotFound(const grpc::Status& s) {
  const std::optional<v1::ErrorDetail> d = GetErrorDetail(FromGrpcStatus(s));
  return absl::StrCat(s.error_code(), " ", d ? d->reason() : "-", " [", d ? d->fund() : "-", "] ",
                      s.error_message());
}

TEST_F(IdentitiesTest, ARealIdAskedForIsAnsweredAsOneThatDoesNotExist) {
  for (const std::string who : {"public", "viewer"}) {
    auto queries = v1::LedgerQueries::NewStub(channels_.at(who));
    auto ask = [&](const std::string& id) {
      v1::GetBeneficiaryRequest q;
      q.set_beneficiary_id(id);
      v1::GetBeneficiaryResponse r;
      return queries->GetBeneficiary(Context().get(), q, &r);
    };
    const std::string hidden = NotFound(ask("ivanov-family"));
    const std::string missing = NotFound(ask("no-such-fund"));
    EXPECT_EQ(hidden, absl::StrCat(grpc::StatusCode::NOT_FOUND,
                                   " UNKNOWN_BENEFICIARY [] no beneficiary \"ivanov-family\""))
        << who;
    EXPECT_EQ(missing, absl::StrCat(grpc::StatusCode::NOT_FOUND,
                                    " UNKNOWN_BENEFICIARY [] no beneficiary \"no-such-fund\""))
        << who;
    EXPECT_EQ(NotFound(ask("fund@999")),
              absl::StrCat(grpc::StatusCode::NOT_FOUND,
                           " UNKNOWN_BENEFICIARY [] no beneficiary \"fund@999\""))
        << who;
    // The alias names the fund.
    v1::GetBeneficiaryRequest q;
    q.set_beneficiary_id(Alias());
    v1::GetBeneficiaryResponse r;
    ASSERT_TRUE(queries->GetBeneficiary(Context().get(), q, &r).ok());
    EXPECT_EQ(r.beneficiary().beneficiary().beneficiary_id(), Alias());
    EXPECT_EQ(r.beneficiary().beneficiary().display_name(), "Family A");
    EXPECT_TRUE(r.beneficiary().beneficiary().purpose().empty());
  }
  // Events and requests: an alias names them, a real id nothing.
  auto audit = v1::LedgerAudit::NewStub(channels_.at("viewer"));
  auto event = [&](const std::string& id, v1::GetEventResponse* r) {
    v1::GetEventRequest q;
    q.set_event_id(id);
    return audit->GetEvent(Context().get(), q, r);
  };
  v1::GetEventResponse r;
  const grpc::Status real = event("gift-plain", &r);
  const grpc::Status none = event("no-such-event", &r);
  EXPECT_EQ(real.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(absl::StrReplaceAll(real.error_message(), {{"gift-plain", "X"}}),
            absl::StrReplaceAll(none.error_message(), {{"no-such-event", "X"}}));
  ASSERT_TRUE(event(absl::StrCat("event@", gift_plain_position_), &r).ok());
  EXPECT_EQ(r.event().position(), gift_plain_position_);
  EXPECT_EQ(r.event().event_id(), absl::StrCat("event@", gift_plain_position_));
  EXPECT_GT(r.event().reversed_by_position(), 0u);

  auto queries = v1::LedgerQueries::NewStub(channels_.at("viewer"));
  v1::ListDisbursementRequestsRequest q;
  q.set_request_id(absl::StrCat("request@", request_position_));
  v1::ListDisbursementRequestsResponse requests;
  ASSERT_TRUE(queries->ListDisbursementRequests(Context().get(), q, &requests).ok());
  ASSERT_EQ(requests.requests_size(), 1);
  EXPECT_EQ(requests.requests(0).request().status(), v1::REQUEST_STATUS_PAID);
  q.set_request_id("pay-ivanov");
  EXPECT_EQ(queries->ListDisbursementRequests(Context().get(), q, &requests).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(IdentitiesTest, ListsAreInPublicOrderAndPageByPublicId) {
  // More funds on both sides of the sensitive one's real id.
  ASSERT_TRUE(Append("treasurer", {testing::Beneficiary("aaa"), testing::Beneficiary("zzz")}));
  auto queries = v1::LedgerQueries::NewStub(channels_.at("public"));
  v1::ListBeneficiariesRequest q;
  v1::ListBeneficiariesResponse whole;
  ASSERT_TRUE(queries->ListBeneficiaries(Context().get(), q, &whole).ok());
  std::vector<std::string> ids;
  for (const auto& b : whole.beneficiaries()) ids.push_back(b.beneficiary().beneficiary_id());
  EXPECT_EQ(ids, (std::vector<std::string>{"aaa", "legal-aid", "zzz", Alias()}));
  std::vector<std::string> paged;
  q.set_page_size(1);
  for (int pages = 0; pages < 10; ++pages) {
    v1::ListBeneficiariesResponse page;
    ASSERT_TRUE(queries->ListBeneficiaries(Context().get(), q, &page).ok());
    for (const auto& b : page.beneficiaries()) paged.push_back(b.beneficiary().beneficiary_id());
    if (page.next_page_token().empty()) break;
    q.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(paged, ids);
}

TEST_F(IdentitiesTest, AStoredRecordGoesOnlyToThoseWhoSeeIdentities) {
  v1::GetInclusionProofRequest q;
  q.set_position(hidden_position_);
  q.set_include_record(true);
  for (const std::string who : {"public", "viewer"}) {
    auto audit = v1::LedgerAudit::NewStub(channels_.at(who));
    v1::GetInclusionProofResponse r;
    const grpc::Status s = audit->GetInclusionProof(Context().get(), q, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << who;
    const std::optional<v1::ErrorDetail> d = GetErrorDetail(FromGrpcStatus(s));
    EXPECT_EQ(d ? d->reason() : "", kReasonRoleRequired) << who;
  }
  auto audit = v1::LedgerAudit::NewStub(channels_.at("auditor"));
  v1::GetInclusionProofResponse r;
  const grpc::Status s = audit->GetInclusionProof(Context().get(), q, &r);
  // No checkpoint signer in this server: refused for that, not for the role.
  EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
}

}  // namespace
}  // namespace ledger
