# dynlist.cmake: writes OUT, a linker dynamic list naming every function
# HEADER (strategy.h) declares, so the runner exports exactly the strategy
# API to the scripts it loads. Usage: cmake -DHEADER=h -DOUT=f -P dynlist.cmake
file(READ "${HEADER}" text)
string(REGEX MATCHALL "[ *]slab_[a-z_0-9]+\\(" calls "${text}")
set(names "")
foreach(c ${calls})
  string(REGEX REPLACE "^[ *]" "" c "${c}")
  string(REPLACE "(" "" c "${c}")
  list(APPEND names "${c}")
endforeach()
list(REMOVE_DUPLICATES names)
list(SORT names)
set(out "{\n")
foreach(n ${names})
  string(APPEND out "  ${n};\n")
endforeach()
string(APPEND out "};\n")
file(WRITE "${OUT}" "${out}")
