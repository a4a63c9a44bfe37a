#include "ledger/postings.h"

#include "absl/strings/str_cat.h"
#include "ledger/errors.h"
#include "ledger/money.h"

namespace ledger {

std::string FundAccount(absl::string_view fund) { return absl::StrCat("fund:", fund); }

std::optional<Movement> MovementOf(const v1::EventBody& body) {
  switch (body.kind_case()) {
    case v1::EventBody::kDonationReceived: {
      const auto& d = body.donation_received();
      std::string fund = d.earmark_beneficiary_id().empty()
                             ? std::string(kGeneralFund)
                             : BeneficiaryFund(d.earmark_beneficiary_id());
      return Movement{kCashAccount, FundAccount(fund), d.amount().amount_minor(),
                      d.amount().currency()};
    }
    case v1::EventBody::kAffiliationFeePaid: {
      const auto& f = body.affiliation_fee_paid();
      return Movement{kCashAccount, FundAccount(kGeneralFund), f.amount().amount_minor(),
                      f.amount().currency()};
    }
    case v1::EventBody::kFundsAllocated: {
      const auto& a = body.funds_allocated();
      return Movement{FundAccount(kGeneralFund),
                      FundAccount(BeneficiaryFund(a.beneficiary_id())),
                      a.amount().amount_minor(), a.amount().currency()};
    }
    case v1::EventBody::kDisbursementMade: {
      const auto& d = body.disbursement_made();
      return Movement{FundAccount(BeneficiaryFund(d.beneficiary_id())), kCashAccount,
                      d.amount().amount_minor(), d.amount().currency()};
    }
    case v1::EventBody::kLedgerOpened:
    case v1::EventBody::kBeneficiaryRegistered:
    case v1::EventBody::kBeneficiaryUpdated:
    case v1::EventBody::kBeneficiaryClosed:
    case v1::EventBody::kBranchAffiliated:
    case v1::EventBody::kBranchDisaffiliated:
    case v1::EventBody::kEventReversed:
    case v1::EventBody::KIND_NOT_SET:
      return std::nullopt;
  }
  return std::nullopt;
}

Movement ReverseOf(const Movement& original, int64_t amount_minor) {
  return Movement{original.credit_account, original.debit_account, amount_minor,
                  original.currency};
}

std::vector<Posting> PostingsOf(const Movement& m) {
  return {Posting{m.debit_account, m.currency, m.amount_minor, 0},
          Posting{m.credit_account, m.currency, 0, m.amount_minor}};
}

absl::Status PostMovement(StateView& state, const Movement& movement) {
  for (const Posting& p : PostingsOf(movement)) {
    const std::string key = AccountKey(p.account, p.currency);
    ASSIGN_OR_RETURN(std::optional<v1::AccountBalance> row, state.Load<v1::AccountBalance>(key));
    v1::AccountBalance balance = row.value_or(v1::AccountBalance());
    balance.set_account(p.account);
    balance.set_currency(p.currency);
    auto debits = CheckedAdd(balance.debits_minor(), p.debit_minor);
    auto credits = CheckedAdd(balance.credits_minor(), p.credit_minor);
    if (!debits || !credits) {
      return Refusal(absl::StatusCode::kOutOfRange, kReasonOverflow,
                     absl::StrCat("account ", p.account, " would overflow its ",
                                  p.currency, " totals"));
    }
    balance.set_debits_minor(*debits);
    balance.set_credits_minor(*credits);
    state.Store(key, balance);
  }
  return absl::OkStatus();
}

}  // namespace ledger
