# CNI runtime side: conflist loading, libcni-compatible result cache, plugin chains.
# Included from this directory's CMakeLists.txt.
add_library(netlib_cni_runtime STATIC
  ${CMAKE_CURRENT_LIST_DIR}/conflist.cpp
  ${CMAKE_CURRENT_LIST_DIR}/conflist_load.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runtime_request.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runtime.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runtime_gc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../sys/base64.cpp
)
target_link_libraries(netlib_cni_runtime PUBLIC netlib_cni PRIVATE netrun_warnings)
