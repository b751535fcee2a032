# register.cmake - short fixed-time runs of the fuzz targets as CTest tests.
#
# Included by tests/CMakeLists.txt in the main (gcc) tree when the sanitizer
# tree is built (SW_SANITIZER_TREE); the fuzz binaries come from that tree
# (clang, ASan+UBSan, libFuzzer) at ${SW_SAN_DIR}/fuzz/. Each target gets:
#
#   fuzz.<name>.corpus  copies the seed corpus fuzz/corpus/<name>/ into the
#                       build directory (a fixture, run first);
#   fuzz.<name>         runs the fuzzer for SW_FUZZ_SECONDS over that copy,
#                       with the dictionary fuzz/<name>.dict.
#
# New inputs libFuzzer finds go into the copy, and a crashing input is
# written next to it (crash-<sha1>, in build/fuzz/<name>/), so the source
# tree is never modified. Reproduce a crash with
#   build/san/fuzz/fuzz_<name> build/fuzz/<name>/crash-<sha1>
# All of these tests carry the label "fuzz" (ctest -L fuzz, or -LE fuzz to
# leave them out).

set(SW_FUZZ_SECONDS 20 CACHE STRING "How long each fuzz.* CTest test fuzzes, in seconds")
set(SW_FUZZ_TARGETS http_target json fhir_validate credentials hl7 mllp)

foreach(name ${SW_FUZZ_TARGETS})
  set(work ${CMAKE_BINARY_DIR}/fuzz/${name})
  file(MAKE_DIRECTORY ${work})

  add_test(NAME fuzz.${name}.corpus
    COMMAND ${CMAKE_COMMAND} -E copy_directory
            ${CMAKE_CURRENT_LIST_DIR}/corpus/${name} ${work}/corpus)
  set_tests_properties(fuzz.${name}.corpus PROPERTIES
    FIXTURES_SETUP fuzz_${name}_corpus
    LABELS fuzz
    TIMEOUT 60)

  add_test(NAME fuzz.${name}
    COMMAND ${SW_SAN_DIR}/fuzz/fuzz_${name}
            -max_total_time=${SW_FUZZ_SECONDS}
            -timeout=10
            -rss_limit_mb=2048
            -max_len=9000
            -dict=${CMAKE_CURRENT_LIST_DIR}/${name}.dict
            -artifact_prefix=${work}/
            -print_final_stats=1
            ${work}/corpus
    WORKING_DIRECTORY ${work})
  math(EXPR timeout "${SW_FUZZ_SECONDS} + 120")
  set_tests_properties(fuzz.${name} PROPERTIES
    FIXTURES_REQUIRED fuzz_${name}_corpus
    LABELS fuzz
    TIMEOUT ${timeout}
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endforeach()
