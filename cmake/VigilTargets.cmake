# Helpers that keep each folder's CMakeLists.txt to a few lines.
#
#   vigil_library(NAME SOURCES a.cpp b.cpp DEPS vigil_base ... [ASIO])
#     A static library `vigil_NAME` rooted at src/ (so includes read "NAME/file.hpp").
#     ASIO: the library's public headers use Asio; it gets the Asio target and, with
#     VIGIL_PCH, a precompiled <asio.hpp>.
#   vigil_unit_test(NAME SOURCES t.cpp ... DEPS vigil_x ... [ASIO] [LABELS l ...])
#     A doctest executable `unit_NAME`, each TEST_CASE a ctest test.

function(vigil_use_asio_pch target)
  if(VIGIL_PCH)
    target_precompile_headers(${target} PRIVATE <asio.hpp>)
  endif()
endfunction()

function(vigil_library name)
  cmake_parse_arguments(ARG "ASIO" "" "SOURCES;DEPS" ${ARGN})
  add_library(vigil_${name} STATIC ${ARG_SOURCES})
  target_include_directories(vigil_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(vigil_${name} PUBLIC ${ARG_DEPS})
  if(ARG_ASIO)
    target_link_libraries(vigil_${name} PUBLIC vigil_asio)
    vigil_use_asio_pch(vigil_${name})
  endif()
endfunction()

function(vigil_unit_test name)
  cmake_parse_arguments(ARG "ASIO" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(unit_${name} ${ARG_SOURCES})
  target_link_libraries(unit_${name} PRIVATE vigil_doctest_main ${ARG_DEPS})
  target_compile_definitions(unit_${name} PRIVATE VIGIL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                                  VIGIL_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(ARG_ASIO)
    target_link_libraries(unit_${name} PRIVATE vigil_asio)
    vigil_use_asio_pch(unit_${name})
  endif()
  set(labels unit ${ARG_LABELS})
  # A case that cannot run here prints "VIGIL-SKIP: <why>" (tests/test_support.hpp) and ctest reports it skipped.
  # LABELS go on afterwards: a label list inside PROPERTIES gets flattened by doctest's generated
  # script, which then also loses SKIP_REGULAR_EXPRESSION ("LABELS unit netns SKIP_...").
  doctest_discover_tests(unit_${name} TEST_PREFIX "${name}: "
                         PROPERTIES SKIP_REGULAR_EXPRESSION "VIGIL-SKIP:" TEST_LIST unit_${name}_TESTS)
  set(labels_file ${CMAKE_CURRENT_BINARY_DIR}/unit_${name}_labels.cmake)
  file(WRITE ${labels_file} "set_tests_properties(\${unit_${name}_TESTS} PROPERTIES LABELS \"${labels}\")\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${labels_file})
endfunction()

# Every sub-folder with a CMakeLists.txt is added: a new module needs no edit here.
function(vigil_add_all_subdirectories)
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT children)
  foreach(child IN LISTS children)
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${child} AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()

#   vigil_fuzz_target(NAME SOURCES f.cpp DEPS vigil_x ... [SEEDS dir])
#     f.cpp defines LLVMFuzzerTestOneInput. With clang and VIGIL_FUZZ=ON it links libFuzzer and
#     ctest runs it for VIGIL_FUZZ_SECONDS; otherwise it links tests/fuzz/replay_main.cpp, which
#     feeds it the seed files and a fixed set of pseudo-random inputs, so every build exercises it.
function(vigil_fuzz_target name)
  cmake_parse_arguments(ARG "" "SEEDS" "SOURCES;DEPS" ${ARGN})
  add_executable(fuzz_${name} ${ARG_SOURCES})
  if(NOT TARGET fuzzers)
    add_custom_target(fuzzers)
  endif()
  add_dependencies(fuzzers fuzz_${name})
  target_link_libraries(fuzz_${name} PRIVATE ${ARG_DEPS})
  if(NOT ARG_SEEDS)
    set(ARG_SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/seeds)
  endif()
  if(VIGIL_FUZZ)
    target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    set(corpus ${CMAKE_CURRENT_BINARY_DIR}/corpus_${name})
    add_test(NAME "fuzz: ${name}"
             COMMAND ${CMAKE_COMMAND} -E env sh -c
               "mkdir -p '${corpus}' && exec '$<TARGET_FILE:fuzz_${name}>' -max_total_time=${VIGIL_FUZZ_SECONDS} -timeout=5 -rss_limit_mb=2048 '${corpus}' '${ARG_SEEDS}'")
    set_tests_properties("fuzz: ${name}" PROPERTIES LABELS fuzz)
  else()
    target_sources(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    add_test(NAME "fuzz replay: ${name}" COMMAND fuzz_${name} ${ARG_SEEDS})
    set_tests_properties("fuzz replay: ${name}" PROPERTIES LABELS fuzz)
  endif()
endfunction()
