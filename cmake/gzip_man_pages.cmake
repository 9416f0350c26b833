# SPDX-License-Identifier: GPL-2.0
# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS, set in Packaging.cmake): gzip
# the man pages in CPack's staging tree, as Debian policy wants them in a .deb.
# gzip -9n: no file name or time stamp in the header, so the package is
# reproducible.
if(NOT CPACK_TEMPORARY_INSTALL_DIRECTORY)
  message(FATAL_ERROR "gzip_man_pages.cmake runs from CPack only")
endif()
find_program(GZIP gzip REQUIRED)
file(GLOB_RECURSE pages "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/share/man/man[1-9]/*")
foreach(page IN LISTS pages)
  if(page MATCHES "\\.[1-9]$")
    execute_process(COMMAND "${GZIP}" -9nf "${page}" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "gzip ${page} failed (${rc})")
    endif()
  endif()
endforeach()
