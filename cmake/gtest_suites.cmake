# Registers one ctest test per GoogleTest suite (run with --gtest_filter=Suite.*)
# instead of one per test: each process start of the sanitized test binary
# costs ~0.3 s, which over ~1,100 tests was a third of `make test`.
#
# Run at build time (POST_BUILD) as
#   cmake -DTEST_BINARY=... -DTEST_DIR=... -DOUT=... -P gtest_suites.cmake
# and writes OUT, which ctest includes. A failing test fails its suite, and
# its name is in the output ctest prints on failure; GTEST_SKIP'd tests are
# listed in the output as "[  SKIPPED ]".
execute_process(COMMAND "${TEST_BINARY}" --gtest_list_tests
                WORKING_DIRECTORY "${TEST_DIR}"
                OUTPUT_VARIABLE listing RESULT_VARIABLE rc TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${TEST_BINARY} --gtest_list_tests failed (${rc})")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(script "")
set(count 0)
foreach(line IN LISTS lines)
  # Suite lines start in column 0 and end with '.', maybe followed by a
  # "  # TypeParam = ..." comment; test lines are indented.
  if(line MATCHES "^([A-Za-z0-9_/]+)\\.( .*)?$")
    set(suite "${CMAKE_MATCH_1}")
    if(suite MATCHES "(^|/)DISABLED_")
      continue()
    endif()
    string(APPEND script
      "add_test([=[${suite}]=] [==[${TEST_BINARY}]==] [==[--gtest_filter=${suite}.*]==])\n"
      "set_tests_properties([=[${suite}]=] PROPERTIES WORKING_DIRECTORY [==[${TEST_DIR}]==] TIMEOUT 600)\n")
    math(EXPR count "${count} + 1")
  endif()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no test suites found in ${TEST_BINARY}")
endif()
file(WRITE "${OUT}" "${script}")
