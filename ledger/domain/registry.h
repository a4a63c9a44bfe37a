// The registry of event kinds: the one place that lists them.
//
// A new event kind is a message in proto/solidarity/ledger/v1/events.proto
// (a case of EventBody), one file in ledger/domain/events/ defining its
// EventKind, and one line in LEDGER_EVENT_KINDS in registry.cc. The
// registry is built on its first use (the first call of any function here)
// and checks then that every case of EventBody has exactly one kind; a case
// without one, or with two, fails a LEDGER_CHECK at that call.
//
// Thread-safety: read-only after its first use (a function-local static).
#ifndef LEDGER_DOMAIN_REGISTRY_H_
#define LEDGER_DOMAIN_REGISTRY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "ledger/domain/kind.h"

namespace ledger {

// The kind of `body`; nullptr when no kind is set (KIND_NOT_SET).
const EventKind* KindOf(const v1::EventBody& body);
const EventKind* KindOf(v1::EventBody::KindCase kind_case);

// Every kind, in the order of EventBody's field numbers.
const std::vector<const EventKind*>& AllKinds();

// The kind's name ("donation_received"), or "unknown" when none is set.
absl::string_view KindName(const v1::EventBody& body);

// The single money movement of `body`'s kind; nullopt for kinds that move
// none (and for a reversal, whose movement depends on its target).
std::optional<Movement> MovementOf(const v1::EventBody& body);

// The descriptive export columns of `body`; empty when no kind is set.
EventDetails DetailsOf(const v1::EventBody& body);

// One line for people ("donation 50.00 GBP from supporter-17 to general
// fund"); "(unknown event)" when no kind is set.
std::string DescribeEvent(const v1::EventBody& body);

}  // namespace ledger

#endif  // LEDGER_DOMAIN_REGISTRY_H_
