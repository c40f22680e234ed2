# `cmake --install build --prefix DIR` installs the neurotwin CLI and the
# libraries a C++ program needs to simulate cells, read datasets and run
# surrogates, with a CMake package:
#   find_package(neurotwin REQUIRED)   # -DCMAKE_PREFIX_PATH=DIR
#   target_link_libraries(app PRIVATE neurotwin::surrogate)   # or ::datasets, ::simulator
# (examples/cpp is such a program).
include(CMakePackageConfigHelpers)

set(NEUROTWIN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/neurotwin")
set_target_properties(neurotwin_simulator PROPERTIES EXPORT_NAME simulator)
set_target_properties(neurotwin_datasets PROPERTIES EXPORT_NAME datasets)
set_target_properties(neurotwin_surrogate PROPERTIES EXPORT_NAME surrogate)
# The static libraries' private link dependencies travel with them (link-only:
# a consumer gets neither our warning flags nor HDF5's headers).
set_target_properties(neurotwin_warnings PROPERTIES EXPORT_NAME warnings)
set_target_properties(neurotwin_hdf5 PROPERTIES EXPORT_NAME hdf5)
install(TARGETS neurotwin_simulator neurotwin_datasets neurotwin_surrogate neurotwin_warnings neurotwin_hdf5
        EXPORT neurotwinTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(library simulator datasets surrogate)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${library}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/neurotwin/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/neurotwin)
install(EXPORT neurotwinTargets NAMESPACE neurotwin:: DESTINATION ${NEUROTWIN_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/neurotwinConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/neurotwinConfig.cmake
                              INSTALL_DESTINATION ${NEUROTWIN_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/neurotwinConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/neurotwinConfig.cmake ${PROJECT_BINARY_DIR}/neurotwinConfigVersion.cmake
        DESTINATION ${NEUROTWIN_INSTALL_CMAKEDIR})
