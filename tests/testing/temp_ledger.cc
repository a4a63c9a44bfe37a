#include "tests/testing/temp_ledger.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ledger/check.h"
#include "ledger/errors.h"
#include "ledger/status_macros.h"

namespace ledger::testing {

v1::ErrorDetail Refused::detail() const {
  return GetErrorDetail(status).value_or(v1::ErrorDetail());
}

TempLedger::TempLedger(EventLogOptions options)
    : path_(dir_.Sub("ledger")), options_(std::move(options)) {}

TempLedger::~TempLedger() { Close(); }

absl::Status TempLedger::Open() { return Open(options_); }

absl::Status TempLedger::Open(EventLogOptions options) {
  if (log_ != nullptr) return absl::FailedPreconditionError("the temp ledger is already open");
  if (options.clock == nullptr) options.clock = &clock_;
  // Sealed with the test key (a test that reads without the key opens
  // path() itself).
  options = KeyedOptions(std::move(options));
  ASSIGN_OR_RETURN(log_, EventLog::Open(path_, options));
  return absl::OkStatus();
}

void TempLedger::Close() { log_.reset(); }

absl::Status TempLedger::Reopen() { return Reopen(options_); }

absl::Status TempLedger::Reopen(EventLogOptions options) {
  Close();
  return Open(std::move(options));
}

EventLog& TempLedger::log() const {
  LEDGER_CHECK(log_ != nullptr);
  return *log_;
}

absl::StatusOr<AppendResult> TempLedger::Append(const v1::AppendRequest& request,
                                                absl::string_view actor) {
  return log().Append(request, actor);
}

absl::StatusOr<AppendResult> TempLedger::Append(std::initializer_list<v1::EventInput> events) {
  return Append(Request(events));
}

std::string TempLedger::Snapshot() const {
  std::unique_ptr<ReadView> view = log().NewReadView();
  return absl::StrCat("head=", view->head_position(), "\n", RenderState(*view));
}

Refused TempLedger::ExpectRefused(const v1::AppendRequest& request, absl::StatusCode code,
                                  absl::string_view reason) {
  const std::string before = Snapshot();
  absl::StatusOr<AppendResult> r = Append(request);
  EXPECT_THAT(r, StatusIs(code));
  EXPECT_EQ(Reason(r.status()), reason) << r.status();
  EXPECT_EQ(Snapshot(), before) << "a refused append changed the ledger";
  return Refused{r.status()};
}

}  // namespace ledger::testing
