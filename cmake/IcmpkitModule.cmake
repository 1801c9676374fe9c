# icmpkit_module(NAME [DEPS mod...] [PUBLIC_LIBS target...])
# Makes the library icmpkit_NAME (alias icmpkit::NAME) from src/NAME/*.cpp; an INTERFACE library
# while the module has no sources yet. Headers live in include/icmpkit/NAME/.
set(ICMPKIT_MODULES "" CACHE INTERNAL "")
function(icmpkit_module name)
  cmake_parse_arguments(M "" "" "DEPS;PUBLIC_LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  set(target icmpkit_${name})
  set(deps "")
  foreach(d IN LISTS M_DEPS)
    list(APPEND deps icmpkit_${d})
  endforeach()
  if(srcs)
    add_library(${target} ${srcs})
    target_include_directories(${target} PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(${target} PUBLIC ${deps} ${M_PUBLIC_LIBS})
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON EXPORT_NAME ${name})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(${target} INTERFACE ${deps} ${M_PUBLIC_LIBS})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  endif()
  add_library(icmpkit::${name} ALIAS ${target})
  set(ICMPKIT_MODULES ${ICMPKIT_MODULES} ${name} CACHE INTERNAL "")
endfunction()
