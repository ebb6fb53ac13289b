# netrun_add_gtest(NAME SOURCES ... LIBS ... LABELS ... [TIMEOUT s] [NETNS_MAIN])
# One registration helper so every test binary gets a label (unit | netns | e2e | vm),
# a timeout and the skip convention (exit 77 = skipped, printed reason).
function(netrun_add_gtest name)
  cmake_parse_arguments(T "NETNS_MAIN" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${T_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  if(T_NETNS_MAIN)
    # Root tests: main() moves the process into private namespaces first.
    target_link_libraries(${name} PRIVATE ${T_LIBS} netrun_netns_main GTest::gtest netrun_warnings)
  else()
    target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main netrun_warnings)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  # `unit_tests` builds just the unit tier (the sanitizer build in scripts/test.sh).
  if("unit" IN_LIST T_LABELS)
    if(NOT TARGET unit_tests)
      add_custom_target(unit_tests)
    endif()
    add_dependencies(unit_tests ${name})
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    SKIP_RETURN_CODE 77
    ENVIRONMENT "NETRUN_PLUGIN_DIR=${NETRUN_PLUGIN_DIR};NETRUN_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
