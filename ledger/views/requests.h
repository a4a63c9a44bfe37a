// Two to sign, read back: the disbursement requests and what each waits on.
#ifndef LEDGER_VIEWS_REQUESTS_H_
#define LEDGER_VIEWS_REQUESTS_H_

#include "absl/status/statusor.h"
#include "ledger/storage/read_view.h"
#include "ledger/views/details.h"
#include "solidarity/ledger/v1/ledger.pb.h"

namespace ledger {

// The requests of `request` (pending only unless include_closed; one when
// request_id is set: NOT_FOUND, UNKNOWN_REQUEST, if there is none), oldest
// first, with the approvals the policy in force asks for. Purpose and payee
// come from each request's event as `access` allows.
absl::StatusOr<v1::ListDisbursementRequestsResponse> QueryRequests(
    ReadView& view, const v1::ListDisbursementRequestsRequest& request, const DetailAccess& access);

}  // namespace ledger

#endif  // LEDGER_VIEWS_REQUESTS_H_
