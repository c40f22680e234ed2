# Every dependency comes from a Debian 12 package. A missing one stops
# configure with the package to install.

macro(neurotwin_require found_var what package)
  if(NOT ${found_var})
    message(FATAL_ERROR
      "neurotwin: ${what} not found. On Debian 12: sudo apt-get install ${package}")
  endif()
endmacro()

# LibTorch: Debian's libtorch-dev (1.13, CPU), or any LibTorch >= 1.13 given
# with -DTorch_DIR=/path/to/libtorch/share/cmake/Torch (e.g. a CUDA build).
find_package(Torch QUIET)
neurotwin_require(Torch_FOUND "LibTorch (TorchConfig.cmake)" "libtorch-dev  (or pass -DTorch_DIR=... for another LibTorch >= 1.13)")
if(DEFINED Torch_VERSION AND Torch_VERSION VERSION_LESS 1.13)
  message(FATAL_ERROR "neurotwin: LibTorch ${Torch_VERSION} at ${Torch_DIR} is older than 1.13")
endif()
message(STATUS "neurotwin: LibTorch ${Torch_VERSION} from ${Torch_DIR}")

find_package(HDF5 QUIET COMPONENTS C CXX)
neurotwin_require(HDF5_FOUND "HDF5 with its C++ API" "libhdf5-dev")
if(NOT TARGET neurotwin_hdf5)
  add_library(neurotwin_hdf5 INTERFACE)
  target_include_directories(neurotwin_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
  target_link_libraries(neurotwin_hdf5 INTERFACE ${HDF5_CXX_LIBRARIES} ${HDF5_LIBRARIES})
  target_compile_definitions(neurotwin_hdf5 INTERFACE ${HDF5_DEFINITIONS})
endif()

find_package(ZLIB QUIET)
neurotwin_require(ZLIB_FOUND "zlib" "zlib1g-dev")

find_package(yaml-cpp QUIET)
neurotwin_require(yaml-cpp_FOUND "yaml-cpp" "libyaml-cpp-dev")

find_package(CLI11 QUIET)
neurotwin_require(CLI11_FOUND "CLI11" "libcli11-dev")

find_package(nlohmann_json 3 QUIET)
neurotwin_require(nlohmann_json_FOUND "nlohmann_json" "nlohmann-json3-dev")

find_package(Threads REQUIRED)

# MPI (Debian's OpenMPI) for `mpirun -np N neurotwin simulate`; optional.
option(NEUROTWIN_WITH_MPI "Build with MPI support (libopenmpi-dev)" ON)
if(NEUROTWIN_WITH_MPI)
  find_package(MPI QUIET COMPONENTS C)
  neurotwin_require(MPI_C_FOUND "MPI (C bindings)" "libopenmpi-dev openmpi-bin  (or configure with -DNEUROTWIN_WITH_MPI=OFF)")
endif()

# PLplot for `neurotwin dataset plot` (PNG through its cairo driver).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PLPLOT QUIET IMPORTED_TARGET plplot)
endif()
neurotwin_require(PLPLOT_FOUND "PLplot" "libplplot-dev plplot-driver-cairo")

if(NEUROTWIN_BUILD_TESTS)
  find_package(Catch2 2 QUIET)
  neurotwin_require(Catch2_FOUND "Catch2 v2" "catch2")
endif()
