# Warnings for C and C++ (the house style's list); -Werror with PB_WERROR (CI).
add_compile_options(
  -Wall -Wextra -Wpedantic -Wshadow
  $<$<COMPILE_LANGUAGE:C>:-Wstrict-prototypes>
  $<$<COMPILE_LANGUAGE:C>:-Wmissing-prototypes>)
if(PB_WERROR)
  add_compile_options(-Werror)
endif()
