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
  doctest_discover_tests(unit_${name} TEST_PREFIX "${name}: "
                         PROPERTIES LABELS "${labels}" SKIP_REGULAR_EXPRESSION "VIGIL-SKIP:")
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
