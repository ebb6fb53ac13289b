#pragma once
// `netrun net VERB ...`: run a CNI network list's plugin chain on a netns, libcni style.
#include <span>
#include <string_view>

namespace netrun::net {

// Exit status: 0 ok, 1 the operation failed, 2 usage error.
int net_main(std::span<const std::string_view> args);

}  // namespace netrun::net
