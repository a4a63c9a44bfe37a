// Helpers shared by the command handlers (declared in commands.h).
#include <openssl/rand.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/ledgerctl/client.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "ledger/domain/civil_date.h"
#include "ledger/domain/money.h"
#include "ledger/domain/registry.h"
#include "ledger/status_macros.h"

namespace ledgerctl {

std::string NewEventId() {
  unsigned char bytes[8];
  RAND_bytes(bytes, sizeof(bytes));
  return absl::StrCat("ctl-", absl::FormatTime("%Y%m%d%H%M%S", absl::Now(), absl::UTCTimeZone()),
                      "-", Hex(absl::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes))));
}

absl::StatusOr<int> AppendOne(const Invocation& in, v1::EventInput input, const Extras& extras) {
  input.set_event_id(in.Get("event-id", NewEventId()));
  const bool dated_today = !in.Has("on");
  input.set_occurred_on(in.Get("on", ledger::FormatDate(ledger::TodayUtc(ledger::Clock::Real()))));
  if (in.Has("memo")) input.set_memo(in.Get("memo"));
  Client client(in.globals());
  ASSIGN_OR_RETURN(AppendOutcome outcome, client.Append(input));
  if (in.json()) {
    JsonMembers members = {{"occurred_on", JsonQuote(outcome.occurred_on)}};
    members.insert(members.end(), extras.json.begin(), extras.json.end());
    std::cout << ToJson(outcome.response, {}, 0, members) << "\n";
    return kExitOk;
  }
  std::cout << "recorded " << ledger::KindName(input.body()) << " at position "
            << outcome.response.positions(0) << " (event id " << Terminal(input.event_id())
            << "), dated " << Terminal(outcome.occurred_on)
            << (dated_today && outcome.occurred_on == input.occurred_on() ? " (today)" : "")
            << (outcome.response.deduplicated() ? " — already recorded earlier, nothing new written"
                                                : "")
            << "\n"
            << extras.text;
  return kExitOk;
}

absl::Status Require(const Invocation& in, absl::string_view option, absl::string_view example) {
  if (in.Has(option)) return absl::OkStatus();
  return Usage(in, absl::StrCat("needs --", option, " ", example), absl::StrCat("--", option));
}

absl::Status Usage(const Invocation& in, absl::string_view message, absl::string_view field) {
  const std::string path = in.command().Path();
  return UsageError(absl::StrCat(path, ": ", message), field, path);
}

absl::StatusOr<int64_t> IntOption(const Invocation& in, absl::string_view name, int64_t fallback,
                                  int64_t min, int64_t max) {
  if (!in.Has(name)) return fallback;
  const std::string text = in.Get(name);
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v) || v < min || v > max) {
    return Usage(in,
                 absl::StrCat("--", name, " takes a whole number from ", min, " to ", max,
                              ", not \"", text, "\""),
                 absl::StrCat("--", name));
  }
  return v;
}

absl::StatusOr<v1::Money> MoneyOf(const Invocation& in, const std::string& text,
                                  absl::string_view field) {
  absl::StatusOr<ledger::Amount> a = ledger::ParseAmount(text);
  if (!a.ok()) return Usage(in, absl::StrCat(field, ": ", a.status().message()), field);
  v1::Money m;
  m.set_amount_minor(a->minor);
  m.set_currency(a->currency);
  return m;
}

v1::AsOf AsOfOption(const Invocation& in) {
  v1::AsOf as_of;
  if (!in.Has("as-of")) return as_of;
  const std::string v = in.Get("as-of");
  uint64_t position = 0;
  if (absl::SimpleAtoi(v, &position)) {
    as_of.set_position(position);
  } else {
    as_of.set_end_of_date(v);
  }
  return as_of;
}

std::string AsOfNote(const Invocation& in) {
  if (!in.Has("as-of")) return "";
  const std::string v = in.Get("as-of");
  uint64_t position = 0;
  return absl::SimpleAtoi(v, &position) ? absl::StrCat(" (as of position ", v, ")")
                                        : absl::StrCat(" (as of the end of ", Terminal(v), ")");
}

void PrintJson(const google::protobuf::Message& message) { std::cout << ToJson(message) << "\n"; }

std::string DescribeBody(const v1::EventBody& b) { return ledger::DescribeEvent(b); }

void PrintEventLine(const v1::Event& e, std::ostream& out) {
  out << "#" << e.position() << "  " << Terminal(e.occurred_on()) << "  "
      << Terminal(DescribeBody(e.body())) << "  [" << Terminal(e.event_id()) << "]";
  if (e.reversed_by_position()) out << "  (reversed by #" << e.reversed_by_position() << ")";
  if (e.private_details() == v1::DETAIL_STATE_WITHHELD) out << "  (private details withheld)";
  if (e.private_details() == v1::DETAIL_STATE_ERASED) out << "  (private details erased)";
  out << "\n";
}

const char* DetailWord(v1::DetailState state) {
  switch (state) {
    case v1::DETAIL_STATE_SHOWN:
      return "shown";
    case v1::DETAIL_STATE_WITHHELD:
      return "withheld";
    case v1::DETAIL_STATE_ERASED:
      return "erased";
    default:
      return "none";
  }
}

bool ShowProgress(const Invocation& in) {
  return isatty(STDERR_FILENO) && !in.globals().no_progress;
}

void ClearProgress(const Invocation& in) {
  if (ShowProgress(in)) std::fprintf(stderr, "\r\033[K");
}

}  // namespace ledgerctl
