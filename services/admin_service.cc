#include "services/admin_service.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/audit/backup.h"
#include "ledger/errors.h"
#include "ledger/hash.h"
#include "ledger/limits.h"
#include "ledger/views/callers.h"
#include "ledger/views/queries.h"
#include "services/grpc_status.h"

namespace ledger {
namespace {

absl::Status BadBackupName(absl::string_view problem) {
  return Refusal(absl::StatusCode::kInvalidArgument, kReasonBackupName,
                 absl::StrCat("name: ", problem,
                              " (a backup is named by one directory under the server's backup "
                              "root: 1..",
                              kMaxBackupNameLength,
                              " characters of A-Z a-z 0-9 . _ -, starting with a letter or digit)"),
                 "name");
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

absl::Status CheckBackupName(const v1::CreateBackupRequest& request) {
  if (!request.backup_dir().empty()) {
    return Refusal(absl::StatusCode::kInvalidArgument, kReasonBackupName,
                   "backup_dir: the server no longer takes a path; give a name (the backup goes "
                   "under the server's backup root)",
                   "backup_dir");
  }
  const std::string& name = request.name();
  if (name.empty()) return BadBackupName("required");
  if (name.size() > kMaxBackupNameLength) return BadBackupName("too long");
  if (!IsAsciiAlnum(name[0])) return BadBackupName("must start with a letter or digit");
  for (char c : name) {
    if (!IsAsciiAlnum(c) && c != '.' && c != '_' && c != '-') {
      return BadBackupName("holds a character other than A-Z a-z 0-9 . _ -");
    }
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* AdminService::CreateBackup(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return ServeUnaryOnThread<v1::CreateBackupRequest, v1::CreateBackupResponse>(
      context, request, response, &ctx_->heavy, ctx_->Admit(*context, "LedgerAdmin/CreateBackup"),
      [this](const Caller&, const v1::CreateBackupRequest& r, v1::CreateBackupResponse* out) {
        return DoCreateBackup(r, out);
      });
}

grpc::ServerUnaryReactor* AdminService::WhoAmI(grpc::CallbackServerContext* context,
                                               const grpc::ByteBuffer* request,
                                               grpc::ByteBuffer* response) {
  return ServeUnary<v1::WhoAmIRequest, v1::WhoAmIResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerAdmin/WhoAmI"),
      [](const Caller& caller, const v1::WhoAmIRequest&, v1::WhoAmIResponse* out) {
        if (!caller.authenticated) return grpc::Status::OK;
        out->set_member_id(caller.member_id());
        for (int r : caller.member.roles()) out->add_roles(static_cast<v1::Role>(r));
        out->set_token_id(caller.token_id);
        return grpc::Status::OK;
      });
}

grpc::ServerUnaryReactor* AdminService::ListMembers(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request,
                                                    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListMembersRequest, v1::ListMembersResponse>(
      context, request, response, ctx_->Admit(*context, "LedgerAdmin/ListMembers"),
      [this](const Caller&, const v1::ListMembersRequest&, v1::ListMembersResponse* out) {
        auto view = ctx_->log->NewReadView();
        auto members = ListMemberRows(*view);
        if (!members.ok()) return ToGrpcStatus(members.status());
        auto tokens = ListTokenRows(*view);
        if (!tokens.ok()) return ToGrpcStatus(tokens.status());
        *out->mutable_as_of() = HeadOf(*view);
        for (v1::Member& m : *members) *out->add_members() = std::move(m);
        for (v1::Token& t : *tokens) *out->add_tokens() = std::move(t);
        return grpc::Status::OK;
      });
}

grpc::Status AdminService::DoCreateBackup(const v1::CreateBackupRequest& request,
                                          v1::CreateBackupResponse* response) {
  if (ctx_->stopping.load() || ctx_->log->shutting_down()) {
    return ToGrpcStatus(absl::UnavailableError("the server is stopping; no backup was taken"));
  }
  if (absl::Status named = CheckBackupName(request); !named.ok()) return ToGrpcStatus(named);
  if (ctx_->backup_root.empty()) {
    return ToGrpcStatus(absl::FailedPreconditionError(
        "this server takes no backups: it was started without a backup root"));
  }
  const std::filesystem::path path = std::filesystem::path(ctx_->backup_root) / request.name();
  // The name is one component, so only a link planted in the root could
  // lead elsewhere: refused, not followed.
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    return ToGrpcStatus(Refusal(absl::StatusCode::kFailedPrecondition, kReasonBackupName,
                                "name: is a symbolic link in the backup root; not followed",
                                "name"));
  }
  absl::StatusOr<BackupInfo> info = ledger::CreateBackup(*ctx_->log, path.string());
  // The name is checked, but escaped all the same, so it cannot forge log lines.
  const std::string dir = absl::CHexEscape(path.string());
  if (!info.ok()) {
    std::fprintf(stderr, "ledgerd: backup into %s failed: %s\n", dir.c_str(),
                 absl::CHexEscape(info.status().message()).c_str());
    return ToGrpcStatus(info.status());
  }
  response->set_backup_id(info->backup_id);
  response->mutable_head()->set_position(info->head_position);
  response->mutable_head()->set_hash(info->head_hash);
  response->set_size_bytes(info->size_bytes);
  response->set_file_count(info->file_count);
  response->set_created_at_seconds(info->created_at_seconds);
  response->set_ledger_id(info->ledger_id);
  response->set_backup_dir(path.string());
  std::fprintf(stderr, "ledgerd: backup %u into %s at head=%llu hash=%s (%llu bytes)\n",
               info->backup_id, dir.c_str(), static_cast<unsigned long long>(info->head_position),
               ToHex(info->head_hash).substr(0, 16).c_str(),
               static_cast<unsigned long long>(info->size_bytes));
  return grpc::Status::OK;
}

}  // namespace ledger
