# Installation and the Debian package (CPack DEB): the meprop CLI, the meprop-workbench app, its
# .desktop file and icon. Build it with:
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build --target package
# (or: cd build && cpack -G DEB). The package lands in build/meprop-workbench_<version>_<arch>.deb.
include(GNUInstallDirs)

# The engine is a private shared library in <libdir>/meprop-workbench: the baseline build there, the
# x86-64-v3 build in its glibc-hwcaps/x86-64-v3 subfolder (the loader picks it on a CPU that has
# AVX2/FMA). The executables find the folder through their RUNPATH.
set(MEPROP_INSTALL_PRIVATE_LIBDIR ${CMAKE_INSTALL_LIBDIR}/meprop-workbench)
install(TARGETS meprop_engine LIBRARY DESTINATION ${MEPROP_INSTALL_PRIVATE_LIBDIR} NAMELINK_SKIP)
if(TARGET meprop_engine_v3)
  install(TARGETS meprop_engine_v3 LIBRARY DESTINATION ${MEPROP_INSTALL_PRIVATE_LIBDIR}/glibc-hwcaps/x86-64-v3 NAMELINK_SKIP)
endif()
set(meprop_install_rpath "$ORIGIN/../${MEPROP_INSTALL_PRIVATE_LIBDIR}")

install(TARGETS meprop RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set_target_properties(meprop PROPERTIES INSTALL_RPATH "${meprop_install_rpath}")
if(MEPROP_BUILD_APP)
  install(TARGETS meprop-workbench meprop-figures RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  set_target_properties(meprop-workbench meprop-figures PROPERTIES INSTALL_RPATH "${meprop_install_rpath}")
  install(FILES ${PROJECT_SOURCE_DIR}/resources/meprop-workbench.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/meprop-workbench.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
endif()

set(CPACK_PACKAGE_NAME "meprop-workbench")
set(CPACK_PACKAGE_VENDOR "meProp Workbench")
set(CPACK_PACKAGE_CONTACT "meProp Workbench maintainers <meprop-workbench@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Train networks with sparsified back propagation (meProp) and watch them learn")
set(CPACK_PACKAGE_DESCRIPTION "meprop: command-line trainer for meProp (Sun et al., ICML 2017) experiments.
meprop-workbench: Qt 6 desktop workbench over the same trainer: live accuracy, backprop ratio,
timing and weight-update views, top-k vs random vs dense comparisons and k sweeps.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
# Shared-library dependencies are computed by dpkg-shlibdeps; the Qt platform plugins (loaded at
# run time, so invisible to it) and the data set are declared by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The private engine library is part of the package itself: dpkg-shlibdeps looks it up there.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${CMAKE_BINARY_DIR}/_CPack_Packages/Linux/DEB/${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}-Linux/usr/${MEPROP_INSTALL_PRIVATE_LIBDIR}")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dataset-fashion-mnist")
set(CPACK_STRIP_FILES ON)
include(CPack)
