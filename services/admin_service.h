// LedgerAdmin: operations on the server's storage (online backups), and
// who is who (WhoAmI, ListMembers).
//
// Backups run on a thread of their own (ServeUnaryOnThread, counted with
// chain verifications and rebuilds) while the writer keeps committing and the
// other services keep answering.
#ifndef SERVICES_ADMIN_SERVICE_H_
#define SERVICES_ADMIN_SERVICE_H_

#include "services/ledger_services.h"
#include "solidarity/ledger/v1/admin.grpc.pb.h"

namespace ledger {

// OK when `request` names its backup as one safe directory under the backup
// root (CreateBackupRequest.name); INVALID_ARGUMENT (BACKUP_NAME) naming the
// field otherwise, and for any request that gives a path (backup_dir).
absl::Status CheckBackupName(const v1::CreateBackupRequest& request);

namespace internal {
using AdminBase = v1::LedgerAdmin::WithRawCallbackMethod_CreateBackup<
    v1::LedgerAdmin::WithRawCallbackMethod_WhoAmI<
        v1::LedgerAdmin::WithRawCallbackMethod_ListMembers<v1::LedgerAdmin::Service>>>;
}  // namespace internal

class AdminService final : public internal::AdminBase {
 public:
  explicit AdminService(ServiceContext* ctx) : ctx_(ctx) {}
  grpc::ServerUnaryReactor* CreateBackup(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListMembers(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;

 private:
  grpc::Status DoCreateBackup(const v1::CreateBackupRequest& request,
                              v1::CreateBackupResponse* response);
  ServiceContext* ctx_;
};

}  // namespace ledger

#endif  // SERVICES_ADMIN_SERVICE_H_
