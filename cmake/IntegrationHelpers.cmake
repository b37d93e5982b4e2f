# Build helpers shared by proto/, common/, tools/ and services/: proto libraries, embedded SQL, tests.

set(INTEGRATION_PROTO_ROOT "${PROJECT_SOURCE_DIR}/proto")
set(INTEGRATION_PROTO_GEN_DIR "${PROJECT_BINARY_DIR}/gen/proto")
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

# Link feature for libraries linked only so that their descriptors register in protobuf's
# generated pool (the call tool, the gateway): kept on the link line even when the linker
# drops unreferenced shared libraries by default (--as-needed).
#   target_link_libraries(t PRIVATE "$<LINK_LIBRARY:INTEGRATION_NO_AS_NEEDED,lib1,lib2>")
set(CMAKE_LINK_LIBRARY_USING_INTEGRATION_NO_AS_NEEDED
    "LINKER:--push-state,--no-as-needed" "<LINK_ITEM>" "LINKER:--pop-state")
set(CMAKE_LINK_LIBRARY_USING_INTEGRATION_NO_AS_NEEDED_SUPPORTED TRUE)

# integration_proto_library(<target> ROOT <dir> PROTOS <relative paths...> [DEPS <targets...>] [GRPC])
# Generates C++ (and, with GRPC, the gRPC stubs and the service adapters <stem>.adapter.h of
# tools/protoc-gen-integration) into the build tree and builds one shared library.
function(integration_proto_library target)
  cmake_parse_arguments(ARG "GRPC" "ROOT" "PROTOS;DEPS" ${ARGN})
  set(_srcs)
  set(_hdrs)
  foreach(_proto IN LISTS ARG_PROTOS)
    string(REGEX REPLACE "\\.proto$" "" _stem "${_proto}")
    set(_outs "${INTEGRATION_PROTO_GEN_DIR}/${_stem}.pb.cc" "${INTEGRATION_PROTO_GEN_DIR}/${_stem}.pb.h")
    set(_plugin_args)
    set(_plugin_deps)
    if(ARG_GRPC)
      set(_plugin_deps protoc-gen-integration)
      list(APPEND _outs "${INTEGRATION_PROTO_GEN_DIR}/${_stem}.grpc.pb.cc"
                        "${INTEGRATION_PROTO_GEN_DIR}/${_stem}.grpc.pb.h"
                        "${INTEGRATION_PROTO_GEN_DIR}/${_stem}.adapter.h")
      set(_plugin_args "--grpc_out=${INTEGRATION_PROTO_GEN_DIR}"
                       "--plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}"
                       "--integration_out=${INTEGRATION_PROTO_GEN_DIR}"
                       "--plugin=protoc-gen-integration=$<TARGET_FILE:protoc-gen-integration>")
    endif()
    add_custom_command(
      OUTPUT ${_outs}
      COMMAND ${CMAKE_COMMAND} -E make_directory "${INTEGRATION_PROTO_GEN_DIR}"
      COMMAND protobuf::protoc
              "-I${INTEGRATION_PROTO_ROOT}" "-I${GOOGLEAPIS_PROTO_DIR}" "-I${Protobuf_INCLUDE_DIR}"
              "--cpp_out=${INTEGRATION_PROTO_GEN_DIR}" ${_plugin_args}
              "${ARG_ROOT}/${_proto}"
      DEPENDS "${ARG_ROOT}/${_proto}" protobuf::protoc ${_plugin_deps}
      COMMENT "protoc ${_proto}"
      VERBATIM)
    foreach(_out IN LISTS _outs)
      if(_out MATCHES "\\.cc$")
        list(APPEND _srcs "${_out}")
      else()
        list(APPEND _hdrs "${_out}")
      endif()
    endforeach()
  endforeach()
  add_library(${target} SHARED ${_srcs} ${_hdrs})
  target_include_directories(${target} PUBLIC "${INTEGRATION_PROTO_GEN_DIR}")
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    target_link_libraries(${target} PUBLIC gRPC::grpc++)
  endif()
  # Generated code is not ours to warn about.
  target_compile_options(${target} PRIVATE -w)
endfunction()

# integration_embed_sql(<target> <dir> <namespace> <symbol>)
# Embeds every *.sql file of <dir> (sorted by name) into the target as
#   std::span<const integration::pg::SqlFile> <namespace>::<symbol>()
# so a binary carries its migrations and named queries without files beside it.
function(integration_embed_sql target dir ns symbol)
  file(GLOB _sql CONFIGURE_DEPENDS "${dir}/*.sql")
  list(SORT _sql)
  set(_out "${CMAKE_CURRENT_BINARY_DIR}/embedded_sql_${symbol}.cc")
  string(REPLACE ";" "|" _sql_arg "${_sql}")
  add_custom_command(
    OUTPUT "${_out}"
    COMMAND ${CMAKE_COMMAND} "-DOUT=${_out}" "-DNS=${ns}" "-DSYMBOL=${symbol}" "-DFILES=${_sql_arg}"
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedSql.cmake"
    DEPENDS ${_sql} "${PROJECT_SOURCE_DIR}/cmake/EmbedSql.cmake"
    COMMENT "embedding SQL of ${dir}"
    VERBATIM)
  target_sources(${target} PRIVATE "${_out}")
endfunction()

# integration_add_test(<name> SOURCES <files...> LIBS <targets...> LABEL unit|service|integration|e2e)
# One GoogleTest binary registered with ctest under its label. Integration and e2e tests need
# the private PostgreSQL and Redis that ./dev test starts (see scripts/testenv.sh).
function(integration_add_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main Threads::Threads)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# integration_test_label(<file> <out-var>): the label of a test file by its suffix:
# *_integration_test.cc -> integration, *_service_test.cc -> service, *_e2e_test.cc -> e2e,
# any other *_test.cc -> unit.
function(integration_test_label file out)
  get_filename_component(_stem "${file}" NAME_WE)
  set(_label unit)
  if(_stem MATCHES "_integration_test$")
    set(_label integration)
  elseif(_stem MATCHES "_service_test$")
    set(_label service)
  elseif(_stem MATCHES "_e2e_test$")
    set(_label e2e)
  endif()
  set(${out} ${_label} PARENT_SCOPE)
endfunction()

# integration_add_tests(<prefix> FILES <test files...> LIBS <targets...>)
# Links the test files of one label into one binary, <prefix>_<label>_tests (a link per label
# instead of one per file: linking dominates the build of small test files), and registers
# each file as its own ctest test, <prefix>_<file stem>, that runs the binary filtered to the
# test suites the file declares. ctest -R/-L and gtest filters select tests as before, and
# ctest still runs the files in parallel.
function(integration_add_tests prefix)
  cmake_parse_arguments(ARG "" "TIMEOUT" "FILES;LIBS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set(_labels)
  foreach(_file IN LISTS ARG_FILES)
    integration_test_label("${_file}" _label)
    list(APPEND _files_${_label} "${_file}")
    list(APPEND _labels ${_label})
  endforeach()
  list(REMOVE_DUPLICATES _labels)
  foreach(_label IN LISTS _labels)
    set(_binary ${prefix}_${_label}_tests)
    add_executable(${_binary} ${_files_${_label}})
    target_link_libraries(${_binary} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main
      Threads::Threads)
    foreach(_file IN LISTS _files_${_label})
      get_filename_component(_stem "${_file}" NAME_WE)
      # The suites of the file: TEST(Suite, ...), TEST_F, TEST_P (instantiated as
      # Prefix/Suite), TYPED_TEST (Suite/N).
      file(STRINGS "${_file}" _decls REGEX "^[ \t]*(TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\\(")
      set(_suites)
      foreach(_decl IN LISTS _decls)
        string(REGEX REPLACE "^[ \t]*[A-Z_]+\\([ \t]*([A-Za-z0-9_]+).*" "\\1" _suite "${_decl}")
        list(APPEND _suites "${_suite}")
      endforeach()
      list(REMOVE_DUPLICATES _suites)
      if(NOT _suites)
        message(FATAL_ERROR "${_file}: no TEST, TEST_F or TEST_P found to register")
      endif()
      set(_filter)
      foreach(_suite IN LISTS _suites)
        list(APPEND _filter "${_suite}.*" "${_suite}/*" "*/${_suite}.*" "*/${_suite}/*")
      endforeach()
      string(REPLACE ";" ":" _filter "${_filter}")
      add_test(NAME ${prefix}_${_stem} COMMAND ${_binary} "--gtest_filter=${_filter}")
      set_tests_properties(${prefix}_${_stem} PROPERTIES LABELS "${_label}" TIMEOUT ${ARG_TIMEOUT})
    endforeach()
  endforeach()
endfunction()

# integration_camel_case(<stem> <out-var>): the C++ and proto spelling of a service stem,
# early_measures -> EarlyMeasures (as scripts/new-service spells it).
function(integration_camel_case stem out)
  string(REPLACE "_" ";" _words "${stem}")
  set(_camel "")
  foreach(_w IN LISTS _words)
    string(SUBSTRING "${_w}" 0 1 _first)
    string(SUBSTRING "${_w}" 1 -1 _rest)
    string(TOUPPER "${_first}" _first)
    string(APPEND _camel "${_first}${_rest}")
  endforeach()
  set(${out} "${_camel}" PARENT_SCOPE)
endfunction()

# integration_add_service(<stem> [BINARY <name>] [RULES_LIBS <targets...>]
#                         [SERVER_LIBS <targets...>] [SERVER_PRIVATE_LIBS <targets...>])
# The whole build of services/<stem> by the layout of docs/DEVELOPING.md:
#   <stem>_rules   src/rules/*.cc: domain logic without I/O; links only status, resource names, dates,
#                  identifiers, the service's protos and Abseil (+ RULES_LIBS)
#   <stem>_server  every other src/*.cc but main.cc, with the embedded sql/migrations and
#                  sql/queries (integration::<stem>::<Stem>Migrations() / <Stem>Queries())
#   <binary>       src/main.cc (default: the stem with '-' for '_', then "-server")
#   tests          test/*_test.cc by label (integration_add_tests), linked with the shared
#                  harness <stem>_test_env (test/<stem>_test_env.cc) when there is one.
function(integration_add_service stem)
  cmake_parse_arguments(ARG "" "BINARY" "RULES_LIBS;SERVER_LIBS;SERVER_PRIVATE_LIBS" ${ARGN})
  set(_dir "${CMAKE_CURRENT_SOURCE_DIR}")
  integration_camel_case("${stem}" _camel)
  if(NOT ARG_BINARY)
    string(REPLACE "_" "-" ARG_BINARY "${stem}-server")
  endif()

  file(GLOB _rules_srcs CONFIGURE_DEPENDS "${_dir}/src/rules/*.cc")
  if(_rules_srcs)
    add_library(${stem}_rules STATIC ${_rules_srcs})
    set(_rules_scope PUBLIC)
  else()
    add_library(${stem}_rules INTERFACE)
    set(_rules_scope INTERFACE)
  endif()
  target_include_directories(${stem}_rules ${_rules_scope} "${_dir}/src")
  target_link_libraries(${stem}_rules ${_rules_scope} integration_${stem}_v1_proto
    integration_status integration_names integration_se integration_dates absl::status absl::statusor absl::strings
    absl::time ${ARG_RULES_LIBS})

  file(GLOB _server_srcs CONFIGURE_DEPENDS "${_dir}/src/*.cc")
  list(REMOVE_ITEM _server_srcs "${_dir}/src/main.cc")
  add_library(${stem}_server STATIC ${_server_srcs})
  target_include_directories(${stem}_server PUBLIC "${_dir}/src")
  integration_embed_sql(${stem}_server "${_dir}/sql/migrations" integration::${stem}
    ${_camel}Migrations)
  integration_embed_sql(${stem}_server "${_dir}/sql/queries" integration::${stem} ${_camel}Queries)
  target_link_libraries(${stem}_server
    PUBLIC ${stem}_rules integration_api integration_service integration_grpc integration_pg
      integration_store integration_outbox integration_se integration_auth integration_status
      integration_log integration_config integration_${stem}_v1_proto PkgConfig::PQXX
      absl::status absl::statusor absl::strings absl::time ${ARG_SERVER_LIBS}
    PRIVATE ${ARG_SERVER_PRIVATE_LIBS})

  add_executable(${ARG_BINARY} "${_dir}/src/main.cc")
  target_link_libraries(${ARG_BINARY} PRIVATE ${stem}_server)

  set(_test_libs ${stem}_server integration_testing)
  if(EXISTS "${_dir}/test/${stem}_test_env.cc")
    add_library(${stem}_test_env STATIC "${_dir}/test/${stem}_test_env.cc")
    target_include_directories(${stem}_test_env PUBLIC "${_dir}/test")
    target_link_libraries(${stem}_test_env PUBLIC ${stem}_server integration_testing GTest::gtest)
    list(APPEND _test_libs ${stem}_test_env)
  endif()
  file(GLOB _tests CONFIGURE_DEPENDS "${_dir}/test/*_test.cc")
  if(_tests)
    integration_add_tests(${stem} FILES ${_tests} LIBS ${_test_libs})
  endif()
endfunction()
