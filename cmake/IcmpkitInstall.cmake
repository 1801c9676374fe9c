# cmake --install: libraries, headers and a CMake package so that applications can
#   find_package(icmpkit) and link icmpkit::wire, icmpkit::net, ...
include(CMakePackageConfigHelpers)
set(targets "")
foreach(m IN LISTS ICMPKIT_MODULES)
  list(APPEND targets icmpkit_${m})
endforeach()
install(TARGETS ${targets} EXPORT icmpkitTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/icmpkit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT icmpkitTargets NAMESPACE icmpkit:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/icmpkit)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/icmpkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/icmpkitConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/icmpkit)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/icmpkitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/icmpkitConfig.cmake ${PROJECT_BINARY_DIR}/icmpkitConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/icmpkit)
