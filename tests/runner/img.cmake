# Image store (runner/image): import formats, overlay rootfs, hostile input, embedded image.
# Root tests: NETNS_MAIN gives a private mount namespace for the overlay mounts; every
# store lives in a mkdtemp dir under /tmp.
add_library(netrun_img_test_fixture STATIC ${CMAKE_CURRENT_LIST_DIR}/img/img_fixture.cpp)
target_include_directories(netrun_img_test_fixture PUBLIC ${CMAKE_CURRENT_LIST_DIR}/img)
target_link_libraries(netrun_img_test_fixture PUBLIC netrun_image GTest::gtest nlohmann_json::nlohmann_json
  netrun_libarchive_writer PRIVATE netrun_warnings)

netrun_add_gtest(runner_img_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/img/img_import_test.cpp ${CMAKE_CURRENT_LIST_DIR}/img/img_overlay_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/img/img_bad_input_test.cpp ${CMAKE_CURRENT_LIST_DIR}/img/img_embedded_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/img/img_podman_interop_test.cpp
  LIBS netrun_img_test_fixture netrun_test_support
  LABELS netns NETNS_MAIN TIMEOUT 180)

netrun_add_gtest(runner_img_unit_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/img/img_parse_unit_test.cpp
  LIBS netrun_image
  LABELS unit TIMEOUT 30)
