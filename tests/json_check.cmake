# cmake -DFILE=path -P json_check.cmake: fails unless FILE is valid JSON (CMake's own parser,
# so the tests need no other tool).
file(READ "${FILE}" text)
string(JSON type ERROR_VARIABLE err TYPE "${text}")
if(err)
  message(FATAL_ERROR "${FILE}: ${err}")
endif()
