#include "steps.hpp"

namespace portmap {

netlib::Expected<> flush_udp_conntrack(std::span<const netlib::nat::PortMapping>) {
    return {};
}

}  // namespace portmap
