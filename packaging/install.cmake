# install.cmake - the part of `make install` that depends on the prefix
# chosen at install time: the systemd unit and the default configuration
# file, with the prefix's paths written into them. Run by `cmake --install`
# (CMakeLists.txt) with CMAKE_INSTALL_PREFIX, SW_PACKAGING_DIR and
# SW_STAGING_DIR set; file(INSTALL) adds $DESTDIR itself.

# The FHS: a program installed under /usr reads /etc; any other prefix
# keeps its configuration under PREFIX/etc.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(SW_CONF_DIR /etc/stagewise)
else()
  set(SW_CONF_DIR ${CMAKE_INSTALL_PREFIX}/etc/stagewise)
endif()
set(SW_BIN ${CMAKE_INSTALL_PREFIX}/bin/stagewise)
set(SW_SHARE ${CMAKE_INSTALL_PREFIX}/share/stagewise)
set(SW_DOC ${CMAKE_INSTALL_PREFIX}/share/doc/stagewise)

file(MAKE_DIRECTORY ${SW_STAGING_DIR})
configure_file(${SW_PACKAGING_DIR}/stagewise.service.in
               ${SW_STAGING_DIR}/stagewise.service @ONLY)
configure_file(${SW_PACKAGING_DIR}/stagewise.conf.in
               ${SW_STAGING_DIR}/stagewise.conf @ONLY)
file(INSTALL ${SW_STAGING_DIR}/stagewise.service
     DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)

# An existing configuration is the administrator's: never replaced.
if(EXISTS "$ENV{DESTDIR}${SW_CONF_DIR}/stagewise.conf")
  message(STATUS "Kept: $ENV{DESTDIR}${SW_CONF_DIR}/stagewise.conf "
                 "(the new default is ${SW_STAGING_DIR}/stagewise.conf)")
else()
  file(INSTALL ${SW_STAGING_DIR}/stagewise.conf DESTINATION ${SW_CONF_DIR}
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
endif()
