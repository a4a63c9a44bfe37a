// Queries: the API's read answers, built from one ReadView (so each answer is
// consistent at one position). No gRPC here: the services, the offline CLI
// and the tests all call these.
#ifndef LEDGER_VIEWS_QUERIES_H_
#define LEDGER_VIEWS_QUERIES_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ledger/storage/read_view.h"
#include "ledger/views/details.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

v1::Head HeadOf(ReadView& view);

// The API form of an event: decoded payload, envelope, the position of the
// event that reversed it (0 if none), and its private details merged in
// when `access` allows (ledger/views/details.h; by default they are
// withheld).
absl::StatusOr<v1::Event> ToApiEvent(ReadView& view, const StoredEvent& stored,
                                     const DetailAccess& access = {});
absl::StatusOr<v1::Event> GetApiEvent(ReadView& view, uint64_t position,
                                      const DetailAccess& access = {});

absl::StatusOr<v1::GetSummaryResponse> QuerySummary(ReadView& view);
// A sensitive fund's purpose is private: it is shown only when `access`
// allows (read from the event that set it), else left empty.
absl::StatusOr<v1::ListBeneficiariesResponse> QueryBeneficiaries(ReadView& view,
                                                                 bool include_closed,
                                                                 const DetailAccess& access = {});
// NOT_FOUND for an unknown id, INVALID_ARGUMENT for a malformed one.
absl::StatusOr<v1::BeneficiaryView> QueryBeneficiary(ReadView& view, absl::string_view id,
                                                     const DetailAccess& access = {});
absl::StatusOr<v1::ListBranchesResponse> QueryBranches(ReadView& view, bool include_disaffiliated,
                                                       absl::CivilDay today);
absl::StatusOr<v1::BranchView> QueryBranch(ReadView& view, absl::string_view id,
                                           absl::CivilDay today);
absl::StatusOr<v1::GetTrialBalanceResponse> QueryTrialBalance(ReadView& view);
// Events from `from` (0 = 1), at most `limit` (0 = kDefaultReadEventsPage, capped at
// kMaxReadEventsPage).
absl::StatusOr<v1::ReadEventsResponse> QueryEvents(ReadView& view, uint64_t from, uint32_t limit,
                                                   const DetailAccess& access = {});
// By position or event_id; NOT_FOUND if none.
absl::StatusOr<v1::Event> QueryEvent(ReadView& view, const v1::GetEventRequest& request,
                                     const DetailAccess& access = {});

}  // namespace ledger

#endif  // LEDGER_VIEWS_QUERIES_H_
