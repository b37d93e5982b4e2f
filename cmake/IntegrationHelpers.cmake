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
# Generates C++ (and gRPC stubs with GRPC) into the build tree and builds one shared library.
function(integration_proto_library target)
  cmake_parse_arguments(ARG "GRPC" "ROOT" "PROTOS;DEPS" ${ARGN})
  set(_srcs)
  set(_hdrs)
  foreach(_proto IN LISTS ARG_PROTOS)
    string(REGEX REPLACE "\\.proto$" "" _stem "${_proto}")
    set(_outs "${INTEGRATION_PROTO_GEN_DIR}/${_stem}.pb.cc" "${INTEGRATION_PROTO_GEN_DIR}/${_stem}.pb.h")
    set(_plugin_args)
    if(ARG_GRPC)
      list(APPEND _outs "${INTEGRATION_PROTO_GEN_DIR}/${_stem}.grpc.pb.cc"
                        "${INTEGRATION_PROTO_GEN_DIR}/${_stem}.grpc.pb.h")
      set(_plugin_args "--grpc_out=${INTEGRATION_PROTO_GEN_DIR}"
                       "--plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}")
    endif()
    add_custom_command(
      OUTPUT ${_outs}
      COMMAND ${CMAKE_COMMAND} -E make_directory "${INTEGRATION_PROTO_GEN_DIR}"
      COMMAND protobuf::protoc
              "-I${INTEGRATION_PROTO_ROOT}" "-I${GOOGLEAPIS_PROTO_DIR}" "-I${Protobuf_INCLUDE_DIR}"
              "--cpp_out=${INTEGRATION_PROTO_GEN_DIR}" ${_plugin_args}
              "${ARG_ROOT}/${_proto}"
      DEPENDS "${ARG_ROOT}/${_proto}" protobuf::protoc
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
