# SPDX-License-Identifier: GPL-2.0
# cmake -P helper: write INPUT as a NUL-terminated C array named SYMBOL into OUTPUT.
#   cmake -DINPUT=probes/x.bpf.c -DOUTPUT=x.c -DSYMBOL=name -DDISPLAY_NAME=probes/x.bpf.c -P embed_file.cmake
# Emits: const char SYMBOL[]; const unsigned long SYMBOL_len; const char SYMBOL_name[].
# The file is written under a temporary name and renamed, so a failed run never leaves half a file.
foreach(var INPUT OUTPUT SYMBOL DISPLAY_NAME)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_file.cmake: ${var} is not set")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR len "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# 16 bytes a line keeps the generated file readable in a debugger
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n\t" bytes "${bytes}")

file(WRITE "${OUTPUT}.tmp"
"/* Generated from ${DISPLAY_NAME} by cmake/embed_file.cmake: do not edit. */
const char ${SYMBOL}[] = {
\t${bytes}0x00
};
const unsigned long ${SYMBOL}_len = ${len};
const char ${SYMBOL}_name[] = \"${DISPLAY_NAME}\";
")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
