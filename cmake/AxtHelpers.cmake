# Project-wide compile settings and the helpers every CMakeLists uses.

add_library(axt_options INTERFACE)
target_compile_options(axt_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
# Every floating-point expression rounds as written: GCC would otherwise fuse a * b + c into one FMA (it does
# so in C++ whatever -std says), and the code that repeats torch's operations in plain loops (quantisation,
# the output epilogue, the running input range) must round exactly as those operations do.
target_compile_options(axt_options INTERFACE -ffp-contract=off)
if(AXT_WARNINGS_AS_ERRORS)
  target_compile_options(axt_options INTERFACE -Werror)
endif()
if(AXT_NATIVE)
  target_compile_options(axt_options INTERFACE -march=native)
else()
  # valgrind 3.19 dies on AVX-512 code; x86-64-v3 (AVX2, FMA) is the portable default.
  target_compile_options(axt_options INTERFACE -march=x86-64-v3)
endif()
if(AXT_SANITIZE)
  # GCC 12 at -O2 with the sanitizers reports -Wmaybe-uninitialized inside libtorch's headers (c10::optional of
  # at::Generator), a known false positive of that combination; the plain builds keep the warning.
  target_compile_options(axt_options INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
    -Wno-maybe-uninitialized)
  target_link_options(axt_options INTERFACE -fsanitize=address,undefined)
endif()

if(AXT_FUZZ)
  # Coverage for libFuzzer in every library; the targets add the fuzzer's main (fuzz/CMakeLists.txt).
  target_compile_options(axt_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
  target_link_options(axt_options INTERFACE -fsanitize=address,undefined)
endif()

# axt_add_library(NAME SOURCES... DEPS...): a layer library with the public include folder.
function(axt_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE axt_options)
endfunction()

# axt_add_test(path/test_x.cpp LABEL unit|cli|error|slow|browser DEPS...): target name from the file name;
# LABEL is the one ctest label of its tests.
function(axt_add_test file)
  cmake_parse_arguments(ARG "" "LABEL" "DEPS" ${ARGN})
  get_filename_component(name ${file} NAME_WE)
  add_executable(${name} ${file})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main axt_options)
  target_compile_definitions(${name} PRIVATE
    AXT_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    AXT_CLI_PATH="$<TARGET_FILE:axtrain>")
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()
