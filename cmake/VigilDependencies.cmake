# Every dependency comes from a Debian 12 package; tools/install-deps.sh installs them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(URING REQUIRED IMPORTED_TARGET liburing>=2.0)
pkg_check_modules(LIBNL REQUIRED IMPORTED_TARGET libnl-3.0>=3.7 libnl-route-3.0 libnl-genl-3.0)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(LIBCAP REQUIRED IMPORTED_TARGET libcap)
find_package(tomlplusplus 3.3 REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(tl-expected REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 2 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(doctest 2.4 REQUIRED)
include(doctest)  # doctest_discover_tests(); the package puts its module on CMAKE_MODULE_PATH

# libnl's headers live in /usr/include/libnl3; mark them SYSTEM so -Werror does not judge them.
set_target_properties(PkgConfig::LIBNL PROPERTIES
  INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "$<TARGET_PROPERTY:PkgConfig::LIBNL,INTERFACE_INCLUDE_DIRECTORIES>")

# Standalone Asio: Debian ships headers only, no CMake config and no .pc file.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(vigil_asio INTERFACE)
target_include_directories(vigil_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(vigil_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED ASIO_NO_TS_EXECUTORS)
target_link_libraries(vigil_asio INTERFACE Threads::Threads)
# Asio 1.24 looks for <experimental/coroutine> under clang and so turns co_await off with clang 14 +
# libstdc++ 12, which have C++20 coroutines in <coroutine> (the fuzz build uses clang).
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_definitions(vigil_asio INTERFACE ASIO_HAS_CO_AWAIT=1)
endif()
if(VIGIL_IO_URING)
  target_compile_definitions(vigil_asio INTERFACE ASIO_HAS_IO_URING ASIO_DISABLE_EPOLL VIGIL_IO_URING=1)
  target_link_libraries(vigil_asio INTERFACE PkgConfig::URING)
else()
  target_compile_definitions(vigil_asio INTERFACE VIGIL_IO_URING=0)
endif()
# Asio's non-template code is compiled once, in vigil_asio_impl (src/rt/CMakeLists.txt), not in every
# TU that includes Asio: about 0.5 s less per TU at -O0 -g and 1.5 s at -O2 -g (toolchain notes §7).
# (asio::ssl users would also need <asio/ssl/impl/src.hpp> compiled once.)
target_compile_definitions(vigil_asio INTERFACE ASIO_SEPARATE_COMPILATION)
target_link_libraries(vigil_asio INTERFACE vigil_asio_impl)

find_program(CCACHE_PROGRAM ccache)
