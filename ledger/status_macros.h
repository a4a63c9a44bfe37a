// Tiny status macros. The Debian 12 Abseil (20220623) ships none.
#ifndef LEDGER_STATUS_MACROS_H_
#define LEDGER_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define LEDGER_CONCAT_INNER_(a, b) a##b
#define LEDGER_CONCAT_(a, b) LEDGER_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::absl::Status ledger_status_ = (expr);          \
    if (!ledger_status_.ok()) return ledger_status_; \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates an absl::StatusOr<T>; returns its
// status if not OK, else moves the value into `lhs` (which may declare it).
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(LEDGER_CONCAT_(ledger_statusor_, __LINE__), lhs, expr)
// `tmp` is a name made by token pasting and `lhs` may declare a variable
// ("Type name"): neither can be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // LEDGER_STATUS_MACROS_H_
