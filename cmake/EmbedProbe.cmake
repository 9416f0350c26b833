# SPDX-License-Identifier: GPL-2.0
# embed_probe(<out_var> <probe file> <symbol>)
# Adds a build-time step (not configure-time) that turns the probe source into a
# C array; it reruns whenever the probe file or the helper script changes.
set(_embed_script "${CMAKE_CURRENT_LIST_DIR}/embed_file.cmake")

function(embed_probe out_var probe symbol)
  get_filename_component(abs "${probe}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  file(RELATIVE_PATH display "${PROJECT_SOURCE_DIR}" "${abs}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${symbol}.c")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DINPUT=${abs} -DOUTPUT=${out} -DSYMBOL=${symbol}
            -DDISPLAY_NAME=${display} -P "${_embed_script}"
    DEPENDS "${abs}" "${_embed_script}"
    COMMENT "Embedding ${display}"
    VERBATIM)
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
