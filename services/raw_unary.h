// Unary methods served on gRPC's raw callback API.
//
// gRPC's typed handlers parse the request before any of our code runs, and
// a request protobuf refuses (a proto3 string that is not UTF-8, or bytes
// that are no message) is answered UNIMPLEMENTED (callback API) or INTERNAL
// (synchronous API), both with an empty message. Raw methods hand us the
// bytes instead: ParseRequestBytes answers INVALID_ARGUMENT naming the field,
// like every other refusal, and nothing runs.
//
// ServeUnary runs the handler on the gRPC thread that delivered the call:
// for handlers that finish in micro- to milliseconds (reads of projection
// rows). ServeUnaryOnThread runs it on a thread of its own, for handlers that
// scan the whole log (chain verification, rebuilds, backups), at most
// kMaxWholeLogCalls at once; more are refused RESOURCE_EXHAUSTED.
#ifndef SERVICES_RAW_UNARY_H_
#define SERVICES_RAW_UNARY_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/byte_buffer.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "ledger/check.h"
#include "ledger/errors.h"
#include "ledger/limits.h"
#include "services/access.h"
#include "services/grpc_status.h"
#include "services/request_bytes.h"

namespace ledger {

// Parses the bytes of `in` as `*message` (see ParseRequestBytes).
inline absl::Status ParseByteBuffer(const grpc::ByteBuffer& in,
                                    google::protobuf::Message* message) {
  std::vector<grpc::Slice> slices;
  grpc::Status dumped = in.Dump(&slices);
  if (!dumped.ok()) return absl::InvalidArgumentError("the request has no readable body");
  if (slices.size() == 1) {
    return ParseRequestBytes(
        absl::string_view(reinterpret_cast<const char*>(slices[0].begin()), slices[0].size()),
        message);
  }
  std::string bytes;
  bytes.reserve(in.Length());
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return ParseRequestBytes(bytes, message);
}

inline grpc::Status SerializeToByteBuffer(const google::protobuf::Message& message,
                                          grpc::ByteBuffer* out) {
  bool own_buffer = false;
  return grpc::SerializationTraits<google::protobuf::Message>::Serialize(message, out, &own_buffer);
}

// Parses the bytes of `in` as `*request`; on failure finishes `reactor` with
// the refusal and returns false.
inline bool ParseOrFinish(const grpc::ByteBuffer& in, google::protobuf::Message* request,
                          grpc::ServerUnaryReactor* reactor) {
  absl::Status parsed = ParseByteBuffer(in, request);
  if (!parsed.ok()) reactor->Finish(ToGrpcStatus(parsed));
  return parsed.ok();
}

// Counts the calls running on threads of their own: at most
// kMaxWholeLogCalls, of which kAdminOnlyWholeLogCalls only admins may take.
struct HeavyCalls {
  std::atomic<int> running{0};
  // Takes a slot for `caller`; false when none is left for them.
  bool TryTake(const Caller& caller) {
    const int limit = caller.Has(v1::ROLE_ADMIN) ? kMaxWholeLogCalls
                                                 : kMaxWholeLogCalls - kAdminOnlyWholeLogCalls;
    int now = running.load();
    do {
      if (now >= limit) return false;
    } while (!running.compare_exchange_weak(now, now + 1));
    return true;
  }
  // Tests only: runs on a call's own thread before its handler (e.g. to
  // hold a slot taken). Set before the server starts.
  std::function<void(const Caller&)> started_for_test;
};

// Runs `handler` for `caller` and serialises its answer into `out`. For a
// caller with an IdentityMask (the public, viewers) the request's ids are
// read through it first, and the answer or refusal is rewritten after
// (ledger/views/identities.h); a server fault's own message is logged.
template <typename Response, typename Request, typename Handler>
grpc::Status RunMasked(const Caller& caller, Request& request, grpc::ByteBuffer* out,
                       Handler& handler) {
  IdentityMask* mask = caller.mask.get();
  if (mask != nullptr) {
    if (absl::Status in = mask->Inbound(request); !in.ok()) return ToGrpcStatus(mask->Refusal(in));
  }
  Response response;
  grpc::Status status = handler(caller, request, &response);
  if (mask != nullptr) {
    absl::Status outcome = status.ok() ? mask->Outbound(response) : FromGrpcStatus(status);
    if (!outcome.ok()) {
      if (outcome.code() == absl::StatusCode::kInternal ||
          outcome.code() == absl::StatusCode::kDataLoss ||
          outcome.code() == absl::StatusCode::kUnknown) {
        std::fprintf(stderr, "ledgerd: %s\n", outcome.ToString().c_str());
      }
      return ToGrpcStatus(mask->Refusal(outcome));
    }
  }
  if (!status.ok()) return status;
  return SerializeToByteBuffer(response, out);
}

// `admitted` is the caller as services/access.h admitted them (Admit): a
// refusal finishes the call before its request is read. Then
// `handler(const Caller&, const Request&, Response*) -> grpc::Status`.
template <typename Request, typename Response, typename Handler>
grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* in, grpc::ByteBuffer* out,
                                     const absl::StatusOr<Caller>& admitted, Handler&& handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted.status()));
    return reactor;
  }
  Request request;
  if (!ParseOrFinish(*in, &request, reactor)) return reactor;
  reactor->Finish(RunMasked<Response>(*admitted, request, out, handler));
  return reactor;
}

template <typename Request, typename Response, typename Handler>
grpc::ServerUnaryReactor* ServeUnaryOnThread(grpc::CallbackServerContext* context,
                                             const grpc::ByteBuffer* in, grpc::ByteBuffer* out,
                                             HeavyCalls* heavy,
                                             const absl::StatusOr<Caller>& admitted,
                                             Handler handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted.status()));
    return reactor;
  }
  Request request;
  if (!ParseOrFinish(*in, &request, reactor)) return reactor;
  if (!heavy->TryTake(*admitted)) {
    reactor->Finish(ToGrpcStatus(absl::ResourceExhaustedError(
        admitted->Has(v1::ROLE_ADMIN)
            ? "too many verifications, rebuilds or backups running at once; try again when one "
              "has finished"
            : "too many verifications, rebuilds or backups running at once (one slot is kept "
              "for admins); try again when one has finished")));
    return reactor;
  }
  // The thread touches nothing after Finish: the server waits for every
  // reactor to finish before it (and the log) can go away.
  std::thread([reactor, out, heavy, caller = *admitted, request = std::move(request),
               handler = std::move(handler)]() mutable {
    if (heavy->started_for_test) heavy->started_for_test(caller);
    grpc::Status status = RunMasked<Response>(caller, request, out, handler);
    const int was_running = heavy->running.fetch_sub(1);
    LEDGER_CHECK(was_running >= 1);  // this call was counted
    reactor->Finish(status);
  }).detach();
  return reactor;
}

}  // namespace ledger

#endif  // SERVICES_RAW_UNARY_H_
