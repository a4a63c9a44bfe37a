# Writes OUT (a C++ source) from IN with the project's version and the git
# commit of SRC; run at every build, OUT changes only when they do, so a
# build at a new commit recompiles one small file.
#   cmake -DSRC=... -DIN=... -DOUT=... -DLEDGER_VERSION=... -P version.cmake
set(LEDGER_GIT_COMMIT "unknown")
find_program(GIT git)
if(GIT)
  execute_process(COMMAND "${GIT}" -C "${SRC}" rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND commit)
    set(LEDGER_GIT_COMMIT "${commit}")
    execute_process(COMMAND "${GIT}" -C "${SRC}" diff --quiet HEAD --
                    RESULT_VARIABLE dirty ERROR_QUIET)
    if(NOT dirty EQUAL 0)
      string(APPEND LEDGER_GIT_COMMIT "-modified")
    endif()
  endif()
endif()
configure_file("${IN}" "${OUT}" @ONLY)
