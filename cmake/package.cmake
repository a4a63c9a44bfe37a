# What `cmake --install` puts where, and the Debian package CPack makes of
# it (tools/package; docs/OPERATIONS.md, "Install from the Debian package").
#   /usr/bin/ledgerd, /usr/bin/ledgerctl
#   /usr/lib/systemd/system/   ledgerd, dashboard, backup (+ timer), witness (+ timer)
#   /usr/lib/sysusers.d/solidarity-ledger.conf   the `ledger` system user
#   /usr/share/solidarity-ledger/dashboard/      the built dashboard (LEDGER_PACKAGE_DASHBOARD)
#   /usr/share/doc/solidarity-ledger/            README, docs/, ledgerd.env.example
# The maintainer scripts (deploy/debian/) add the user, make
# /etc/solidarity-ledger with an env file from the example, and never
# start, stop-and-delete or touch the books: data and keys stay on removal
# and purge.
include(GNUInstallDirs)
option(LEDGER_PACKAGE_DASHBOARD
  "Install the dashboard's built bundle (clients/dashboard/dist: npm run build first)" OFF)

install(TARGETS ledgerd ledgerctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES
  deploy/ledgerd.service deploy/ledger-dashboard.service
  deploy/ledger-backup.service deploy/ledger-backup.timer
  deploy/ledger-witness.service deploy/ledger-witness.timer
  DESTINATION lib/systemd/system)
install(FILES deploy/sysusers.conf DESTINATION lib/sysusers.d RENAME solidarity-ledger.conf)
# postinst makes /etc/solidarity-ledger/ledgerd.env from this copy (docs may
# be left out of an install: dpkg's path-exclude).
install(FILES deploy/ledgerd.env.example DESTINATION ${CMAKE_INSTALL_DATADIR}/solidarity-ledger)
install(FILES README.md docs/ARCHITECTURE.md docs/AUDITING.md docs/BENCHMARKS.md
  docs/OPERATIONS.md docs/RELIABILITY.md docs/SECURITY.md
  deploy/ledgerd.env.example deploy/ledger-witness.env.example
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/solidarity-ledger)
if(LEDGER_PACKAGE_DASHBOARD)
  set(dashboard ${CMAKE_SOURCE_DIR}/clients/dashboard)
  if(NOT EXISTS ${dashboard}/dist/server.js)
    message(FATAL_ERROR "LEDGER_PACKAGE_DASHBOARD: build the dashboard first (npm run build)")
  endif()
  install(FILES ${dashboard}/server.js ${dashboard}/package.json
    DESTINATION ${CMAKE_INSTALL_DATADIR}/solidarity-ledger/dashboard)
  install(DIRECTORY ${dashboard}/dist/ DESTINATION ${CMAKE_INSTALL_DATADIR}/solidarity-ledger/dashboard/dist
    PATTERN "test" EXCLUDE)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME solidarity-ledger)
set(CPACK_PACKAGE_VENDOR "Solidarity Ledger")
set(CPACK_PACKAGE_CONTACT "Solidarity Ledger maintainers <ledger@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "books of a solidarity campaign: a verifiable event log over gRPC and RocksDB")
set(CPACK_PACKAGE_DESCRIPTION
  "ledgerd keeps a campaign's donations, affiliation fees and payments as an append-only, hash-chained event log with signed checkpoints; ledgerctl records, audits and backs it up; the dashboard shows the books to the committee and the public.")
set(CPACK_PACKAGE_INSTALL_DIRECTORY /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nodejs (>= 18)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/deploy/debian/postinst ${CMAKE_SOURCE_DIR}/deploy/debian/prerm
  ${CMAKE_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
