// Double-entry postings.
//
// Every money event moves one amount in one currency from one account to
// another: a debit to one and an equal credit to the other. Accounts:
//   cash                     money the campaign holds (debit-normal)
//   fund:general             unrestricted money (credit-normal)
//   fund:beneficiary/<id>    money restricted to one beneficiary (credit-normal)
//
//   DonationReceived     Dr cash                   Cr fund:general | fund:beneficiary/<earmark>
//   AffiliationFeePaid   Dr cash                   Cr fund:general
//   FundsAllocated       Dr fund:general           Cr fund:beneficiary/<id>
//   DisbursementMade     Dr fund:beneficiary/<id>  Cr cash
//   EventReversed        the original's postings with debit and credit swapped,
//                        for the reversed amount
// Debits therefore equal credits in every currency, always.
#ifndef LEDGER_POSTINGS_H_
#define LEDGER_POSTINGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ledger/state.h"
#include "solidarity/ledger/v1/events.pb.h"

namespace ledger {

inline constexpr char kCashAccount[] = "cash";
std::string FundAccount(absl::string_view fund);  // "fund:<fund>"

// One line of the books.
struct Posting {
  std::string account;
  std::string currency;
  int64_t debit_minor = 0;
  int64_t credit_minor = 0;
};

// The money movement of one event.
struct Movement {
  std::string debit_account;
  std::string credit_account;
  int64_t amount_minor = 0;
  std::string currency;
};

// The movement of a DonationReceived, AffiliationFeePaid, FundsAllocated or
// DisbursementMade; nullopt for every other kind (they move no money).
std::optional<Movement> MovementOf(const v1::EventBody& body);

// The movement that undoes `original` for `amount_minor` of it.
Movement ReverseOf(const Movement& original, int64_t amount_minor);

// The two postings of a movement: debit first.
std::vector<Posting> PostingsOf(const Movement& movement);

// Adds a movement's postings to the cumulative account rows in `state`.
// Fails (OUT_OF_RANGE) only if a cumulative total would overflow int64.
absl::Status PostMovement(StateView& state, const Movement& movement);

}  // namespace ledger

#endif  // LEDGER_POSTINGS_H_
