# SPDX-License-Identifier: GPL-2.0
# Packaging: the bash completion's install rule, and CPack's Debian package.
# Included from the top-level CMakeLists.txt after its install() rules (the
# binary in sbin, the probe in share/bcc-execcount, the man page in man8).
#
#   cmake --install build --prefix /tmp/x     # the tree, as a package has it
#   cd build && cpack -G DEB                  # bcc-execcount_<version>_<arch>.deb
#
# The package is built for /usr (sbin/bcc-execcount) whatever CMAKE_INSTALL_PREFIX
# says; see docs/packaging.md.

install(FILES "${PROJECT_SOURCE_DIR}/completions/bcc-execcount.bash"
  DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
  RENAME bcc-execcount)

set(CPACK_PACKAGE_NAME bcc-execcount)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "bcc-execcount")
set(CPACK_PACKAGE_CONTACT "bcc-execcount maintainers <bcc-execcount@example.org>"
  CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "count exec calls per user, program, path or cgroup with eBPF")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON) # Debian ships binaries stripped

set(CPACK_DEBIAN_PACKAGE_NAME bcc-execcount)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # bcc-execcount_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; CPack indents these lines
# by one space ("." is an empty line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "bcc-execcount compiles a small eBPF probe with libbcc when it starts,
attaches it to the execve() and execveat() system calls (kprobes or the
syscall tracepoints) and prints, every few seconds, how many exec calls each
user, program, executable path or cgroup has made, with successes and
failures counted apart.  Counting is exact under concurrency.
.
Output as a table, JSON lines, CSV or the original BCC script's lines;
Prometheus metrics over HTTP (--listen) or for node_exporter's textfile
collector (--textfile).  The probe can be printed, edited and run without
rebuilding.  --doctor tells what the machine offers and what is missing.
.
It needs root (or CAP_BPF and CAP_PERFMON) and the running kernel's headers,
which libbcc compiles the probe against: on Debian, linux-headers-amd64 when
running Debian's kernel.")

execute_process(COMMAND dpkg --print-architecture
  OUTPUT_VARIABLE _execcount_deb_arch OUTPUT_STRIP_TRAILING_WHITESPACE
  RESULT_VARIABLE _execcount_deb_arch_rc ERROR_QUIET)
if(_execcount_deb_arch_rc EQUAL 0 AND _execcount_deb_arch)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${_execcount_deb_arch}")
endif()

# Depends: computed by dpkg-shlibdeps from the libraries the binary links
# (libbpfcc, libmicrohttpd12, libnettle8, libc6, with the versions their shlibs
# files ask) when dpkg-dev is installed; else the same names written out (Debian
# 12's; Debian 13's libmicrohttpd12t64 and libnettle8t64 provide them).  libbpfcc 0.25
# is the first whose bcc_func_load() takes the attach type (CMakeLists.txt).
find_program(EXECCOUNT_DPKG_SHLIBDEPS dpkg-shlibdeps)
mark_as_advanced(EXECCOUNT_DPKG_SHLIBDEPS)
if(EXECCOUNT_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libbpfcc (>= 0.25), libmicrohttpd12 (>= 0.9.71), libnettle8, libc6 (>= 2.34)")
endif()
# Kernel headers are the machine's business (they must match the running
# kernel, which a package cannot know): recommended, and --doctor names what
# to install when they are missing.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "linux-headers-amd64 | linux-headers-generic")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus-node-exporter")

# Debian wants man pages gzipped (-n: no name or time stamp, reproducible).
# Done in CPack's staging tree, so `cmake --install` still installs the plain
# file.  CPACK_PRE_BUILD_SCRIPTS needs CMake 3.19; older ones ship it plain.
set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_CURRENT_LIST_DIR}/gzip_man_pages.cmake")

include(CPack)

if(BUILD_TESTING)
  add_subdirectory("${PROJECT_SOURCE_DIR}/tests/packaging" "${CMAKE_BINARY_DIR}/tests/packaging")
endif()
