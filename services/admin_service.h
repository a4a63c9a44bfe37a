// LedgerAdmin: operations on the server's storage (online backups).
//
// Backups run on the synchronous API: one handler thread copies files while
// the writer keeps committing and the other services keep answering.
#ifndef SERVICES_ADMIN_SERVICE_H_
#define SERVICES_ADMIN_SERVICE_H_

#include "services/ledger_services.h"
#include "solidarity/ledger/v1/admin.grpc.pb.h"

namespace ledger {

class AdminService final : public v1::LedgerAdmin::Service {
 public:
  explicit AdminService(ServiceContext* ctx) : ctx_(ctx) {}
  grpc::Status CreateBackup(grpc::ServerContext*, const v1::CreateBackupRequest*,
                            v1::CreateBackupResponse*) override;

 private:
  ServiceContext* ctx_;
};

}  // namespace ledger

#endif  // SERVICES_ADMIN_SERVICE_H_
