// Exports (CSV / JSON Lines, online or offline) and backups (create online;
// list, verify and restore on the backup directory itself).
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/ledgerctl/client.h"
#include "clients/ledgerctl/commands.h"
#include "clients/ledgerctl/output.h"
#include "clients/ledgerctl/reader.h"
#include "ledger/audit/backup.h"
#include "ledger/audit/export.h"
#include "ledger/status_macros.h"

namespace ledgerctl {
namespace {

using ledger::BackupInfo;

constexpr int64_t kBackupTimeoutMs = int64_t{3600} * 1000;

std::function<void(uint64_t, uint64_t)> ProgressLine(const Invocation& in,
                                                     const std::string& what) {
  if (!ShowProgress(in)) return {};
  return [what](uint64_t at, uint64_t last) {
    const unsigned long long percent = last == 0 ? 100 : at * 100 / last;
    std::fprintf(stderr, "\r%s %llu / %llu (%3llu%%)", what.c_str(),
                 static_cast<unsigned long long>(at), static_cast<unsigned long long>(last),
                 percent);
    std::fflush(stderr);
  };
}

std::string Bytes(uint64_t n) {
  constexpr uint64_t kKiB = 1024;
  constexpr uint64_t kMiB = 1024 * kKiB;
  if (n < 10 * kKiB) return absl::StrCat(n, " bytes");
  if (n < 10 * kMiB) return absl::StrCat(n / kKiB, " KiB");
  return absl::StrCat(n / kMiB, " MiB");
}

std::string UtcSeconds(int64_t seconds) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixSeconds(seconds),
                          absl::UTCTimeZone());
}

// An export read page by page from the server.
absl::StatusOr<ledger::ExportSummary> ExportOnline(const Invocation& in, ledger::ExportTable table,
                                                   ledger::ExportFormat format, std::ostream& out) {
  Client client(in.globals());
  std::optional<absl::Status> rpc_failure;
  ledger::PageReader pages = [&](uint64_t from,
                                 uint32_t limit) -> absl::StatusOr<v1::ReadEventsResponse> {
    v1::ReadEventsRequest req;
    req.set_from_position(from);
    req.set_limit(limit);
    v1::ReadEventsResponse r;
    absl::Status s =
        client.Call([&](grpc::ClientContext* c) { return client.audit().ReadEvents(c, req, &r); });
    if (!s.ok()) rpc_failure = s;
    if (!s.ok()) return s;
    return r;
  };
  ledger::TargetLookup lookup =
      [&](absl::string_view id) -> absl::StatusOr<std::optional<v1::Event>> {
    v1::GetEventRequest req;
    req.set_event_id(std::string(id));
    v1::GetEventResponse r;
    absl::Status s =
        client.Call([&](grpc::ClientContext* c) { return client.audit().GetEvent(c, req, &r); });
    if (absl::IsNotFound(s)) return std::optional<v1::Event>();
    if (!s.ok()) rpc_failure = s;
    if (!s.ok()) return s;
    return std::optional<v1::Event>(std::move(*r.mutable_event()));
  };
  auto summary =
      ledger::ExportFromPages(pages, lookup, table, format, out,
                              ProgressLine(in, absl::StrCat("exporting ", in.command().sub)));
  if (!summary.ok() && rpc_failure) return *rpc_failure;
  return summary;  // an export failure of its own is reported by RunExport
}

absl::StatusOr<ledger::ExportSummary> ExportTo(const Invocation& in, ledger::ExportTable table,
                                               ledger::ExportFormat format, std::ostream& out) {
  if (!in.Has("data-dir")) return ExportOnline(in, table, format, out);
  ASSIGN_OR_RETURN(auto log, OpenDataDir(in.Get("data-dir"), in.globals()));
  auto view = log->NewReadView();
  // Private details when the key file was given (the caller holds the key),
  // else "(withheld)" in their columns.
  return ledger::ExportFromView(*view, table, format, out,
                                ProgressLine(in, absl::StrCat("exporting ", in.command().sub)),
                                {log->keyring(), /*allowed=*/true});
}

void PrintExported(const Invocation& in, ledger::ExportTable table, const ledger::ExportSummary& s,
                   const std::string& output) {
  if (in.json()) {
    std::cout << "{\"file\": " << JsonQuote(output) << ", \"events\": " << s.events
              << ", \"rows\": " << s.rows << ", \"head_position\": " << s.head_position
              << ", \"head_hash\": \"" << Hex(s.head_hash) << "\"}\n";
    return;
  }
  std::cout << "exported " << s.rows
            << (table == ledger::ExportTable::kEvents ? " event" : " posting") << " rows ("
            << s.events << " events, head #" << s.head_position << " " << Hex(s.head_hash)
            << ") to " << Terminal(output) << "\n";
}

// ledgerctl export events|postings [--format csv|jsonl] [--output FILE] [--data-dir DIR].
// A file is written beside its final name and renamed when complete, so a
// failed export never leaves a file that looks whole.
absl::StatusOr<int> RunExport(const Invocation& in, ledger::ExportTable table) {
  absl::StatusOr<ledger::ExportFormat> format = ledger::ParseExportFormat(in.Get("format", "csv"));
  if (!format.ok()) return Usage(in, format.status().message(), "--format");
  const std::string output = in.Get("output");
  if (output.empty()) {
    ASSIGN_OR_RETURN(ledger::ExportSummary ignored, ExportTo(in, table, *format, std::cout));
    (void)ignored;
    ClearProgress(in);
    return kExitOk;
  }
  const std::string partial = absl::StrCat(output, ".partial");
  std::ofstream file(partial, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!file) return absl::PermissionDeniedError(absl::StrCat("cannot write ", partial));
  absl::StatusOr<ledger::ExportSummary> summary = ExportTo(in, table, *format, file);
  ClearProgress(in);
  file.close();
  if (!summary.ok() || !file || std::rename(partial.c_str(), output.c_str()) != 0) {
    std::remove(partial.c_str());
    if (!summary.ok()) return summary.status();
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", output));
  }
  PrintExported(in, table, *summary, output);
  return kExitOk;
}

absl::StatusOr<uint32_t> BackupIdOption(const Invocation& in) {
  ASSIGN_OR_RETURN(int64_t id, IntOption(in, "id", 0, 1, std::numeric_limits<uint32_t>::max()));
  return static_cast<uint32_t>(id);
}

v1::CreateBackupResponse BackupMessage(const BackupInfo& b) {
  v1::CreateBackupResponse m;
  m.set_backup_id(b.backup_id);
  m.mutable_head()->set_position(b.head_position);
  m.mutable_head()->set_hash(b.head_hash);
  m.set_size_bytes(b.size_bytes);
  m.set_file_count(b.file_count);
  m.set_created_at_seconds(b.created_at_seconds);
  m.set_ledger_id(b.ledger_id);
  return m;
}

void PrintVerifyJson(const ledger::BackupVerifyReport& r) {
  const auto b = [](bool v) { return v ? "true" : "false"; };
  std::cout << "{\"backup_id\": " << r.info.backup_id << ", \"files_ok\": " << b(r.files_ok)
            << ", \"restored\": " << b(r.restored)
            << ", \"chain_ok\": " << b(r.restored && r.chain.ok)
            << ", \"projections_match\": " << b(r.restored && r.rebuild.match)
            << ", \"head_position\": " << r.head_position << ", \"head_hash\": \""
            << Hex(r.head_hash) << "\", \"ledger_id\": " << JsonQuote(r.ledger_id)
            << ", \"ok\": " << b(r.ok()) << "}\n";
}

void PrintRestoredChecks(const ledger::BackupVerifyReport& r) {
  std::cout << "hash chain  "
            << (r.chain.ok
                    ? absl::StrCat("verified: ", r.chain.events_checked, " events from position 1")
                    : absl::StrCat("BROKEN at position ", r.chain.first_bad_position, ": ",
                                   Terminal(r.chain.problem)))
            << "\n";
  std::cout << "projections "
            << (r.rebuild.match ? "rebuilt from the log and equal to the stored ones"
                                : "DIFFER from a rebuild")
            << " (" << r.rebuild.rows_compared << " rows)\n";
  if (r.rebuild.failed_position) {
    std::cout << "  event #" << r.rebuild.failed_position
              << " fails the rules on replay: " << Terminal(r.rebuild.failure) << "\n";
  }
  for (const auto& m : r.rebuild.mismatches) {
    std::cout << "  " << Terminal(m.key) << "\n    stored:  " << Terminal(m.stored)
              << "\n    rebuilt: " << Terminal(m.rebuilt) << "\n";
  }
  std::cout << "head        #" << r.head_position << " " << Hex(r.head_hash) << "\n";
  if (r.info.problem.empty() &&
      (r.head_position != r.info.head_position || r.head_hash != r.info.head_hash)) {
    std::cout << "  DIFFERS from the head read from the backup in place: #" << r.info.head_position
              << " " << Hex(r.info.head_hash) << "\n";
  }
}

void PrintVerifyText(const std::string& dir, const ledger::BackupVerifyReport& r) {
  std::cout << "Backup " << r.info.backup_id << " in " << Terminal(dir);
  if (r.info.created_at_seconds) std::cout << ", taken " << UtcSeconds(r.info.created_at_seconds);
  std::cout << "\n";
  if (!r.info.problem.empty())
    std::cout << "opening     FAILED: " << Terminal(r.info.problem) << "\n";
  std::cout << "files       "
            << (r.files_ok ? absl::StrCat("checksums OK (", r.info.file_count, " files, ",
                                          Bytes(r.info.size_bytes), ")")
                           : absl::StrCat("DAMAGED: ", Terminal(r.files_problem)))
            << "\n";
  if (r.files_ok) {
    std::cout << "restore     "
              << (r.restored ? absl::StrCat("restored into scratch space, opens as ledger ",
                                            Terminal(r.ledger_id))
                             : absl::StrCat("FAILED: ", Terminal(r.restore_problem)))
              << "\n";
  }
  if (r.restored) PrintRestoredChecks(r);
  std::cout << (r.ok() ? "RESULT: the backup verifies.\n"
                       : "RESULT: PROBLEMS FOUND (see above).\n");
}

}  // namespace

absl::StatusOr<int> RunExportEvents(const Invocation& in) {
  return RunExport(in, ledger::ExportTable::kEvents);
}

absl::StatusOr<int> RunExportPostings(const Invocation& in) {
  return RunExport(in, ledger::ExportTable::kPostings);
}

absl::StatusOr<int> RunBackupCreate(const Invocation& in) {
  Client client(in.globals());
  v1::CreateBackupRequest req;
  req.set_name(in.Positional("NAME"));
  // A backup copies files: allow it an hour unless --timeout says otherwise.
  const int64_t timeout_ms =
      in.globals().timeout_given ? in.globals().timeout_ms : kBackupTimeoutMs;
  ASSIGN_OR_RETURN(v1::CreateBackupResponse r, client.CreateBackup(req, timeout_ms));
  if (in.json()) {
    PrintJson(r);
    return kExitOk;
  }
  std::cout << "backup " << r.backup_id() << " of ledger " << Terminal(r.ledger_id()) << " in "
            << Terminal(r.backup_dir()) << ": head #" << r.head().position() << " "
            << Hex(r.head().hash()) << ", " << Bytes(r.size_bytes()) << " in " << r.file_count()
            << " files\n";
  return kExitOk;
}

absl::StatusOr<int> RunBackupList(const Invocation& in) {
  ASSIGN_OR_RETURN(std::vector<BackupInfo> list, ledger::ListBackups(in.Positional("DIR")));
  if (in.json()) {
    std::cout << "{\"backups\": [";
    for (size_t i = 0; i < list.size(); ++i) {
      JsonMembers extra;
      if (!list[i].problem.empty()) extra.push_back({"problem", JsonQuote(list[i].problem)});
      std::cout << (i ? ", " : "")
                << ToJson(BackupMessage(list[i]), JsonStyle{false, true}, 0, extra);
    }
    std::cout << "]}\n";
    return kExitOk;
  }
  Table t({"id", "taken", "head", "hash", "size", "files", "problem"});
  for (const BackupInfo& b : list) {
    t.Add({absl::StrCat(b.backup_id), b.created_at_seconds ? UtcSeconds(b.created_at_seconds) : "",
           b.problem.empty() ? absl::StrCat("#", b.head_position) : "",
           b.problem.empty() ? ShortHash(b.head_hash) : "", Bytes(b.size_bytes),
           absl::StrCat(b.file_count), b.problem});
  }
  t.Print(std::cout);
  return kExitOk;
}

absl::StatusOr<int> RunBackupPurge(const Invocation& in) {
  if (!in.Has("keep")) return Usage(in, "needs --keep N (the newest backups to keep)", "--keep");
  ASSIGN_OR_RETURN(int64_t keep, IntOption(in, "keep", 0, 1, UINT32_MAX));
  const std::string& dir = in.Positional("DIR");
  ASSIGN_OR_RETURN(std::vector<BackupInfo> gone,
                   ledger::PurgeBackups(dir, static_cast<uint32_t>(keep)));
  if (in.json()) {
    std::cout << "{\"deleted\": [";
    for (size_t i = 0; i < gone.size(); ++i) {
      std::cout << (i ? ", " : "") << ToJson(BackupMessage(gone[i]), JsonStyle{false, true}, 0, {});
    }
    std::cout << "]}\n";
    return kExitOk;
  }
  if (gone.empty()) {
    std::cout << "nothing to delete: " << Terminal(dir) << " holds " << keep
              << " backups or fewer\n";
    return kExitOk;
  }
  for (const BackupInfo& b : gone) {
    std::cout << "deleted backup " << b.backup_id << " (head #" << b.head_position << ")\n";
  }
  std::cout << "kept the newest " << keep << "; what only the deleted ones held is gone from "
            << Terminal(dir) << "\n";
  return kExitOk;
}

absl::StatusOr<int> RunBackupVerify(const Invocation& in) {
  ASSIGN_OR_RETURN(uint32_t id, BackupIdOption(in));
  const std::string& dir = in.Positional("DIR");
  ledger::BackupVerifyOptions options;
  options.scratch_dir = in.Get("scratch");
  options.progress = ProgressLine(in, "verifying");
  auto found = ledger::VerifyBackup(dir, id, options);
  ClearProgress(in);
  RETURN_IF_ERROR(found.status());
  if (in.json()) {
    PrintVerifyJson(*found);
  } else {
    PrintVerifyText(dir, *found);
  }
  return found->ok() ? kExitOk : kExitRefused;
}

absl::StatusOr<int> RunBackupRestore(const Invocation& in) {
  ASSIGN_OR_RETURN(uint32_t id, BackupIdOption(in));
  if (!in.Has("data-dir")) {
    return Usage(in, "needs --data-dir TARGET (a new or empty directory)", "--data-dir");
  }
  const std::string target = in.Get("data-dir");
  ASSIGN_OR_RETURN(auto r, ledger::RestoreBackup(in.Positional("DIR"), id, target));
  if (in.json()) {
    std::cout << "{\"backup_id\": " << r.backup_id << ", \"data_dir\": " << JsonQuote(target)
              << ", \"ledger_id\": " << JsonQuote(r.ledger_id)
              << ", \"head_position\": " << r.head_position << ", \"head_hash\": \""
              << Hex(r.head_hash) << "\"}\n";
    return kExitOk;
  }
  std::cout << "restored backup " << r.backup_id << " of ledger " << Terminal(r.ledger_id)
            << " into " << Terminal(target) << ": head #" << r.head_position << " "
            << Hex(r.head_hash) << "\ncheck it offline with: ledgerctl audit replay --data-dir "
            << Terminal(target) << "\n";
  return kExitOk;
}

}  // namespace ledgerctl
