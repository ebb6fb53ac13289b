#pragma once
// SHA-512 (FIPS 180-4). Only used to derive stable names (iptables chains, nft comments)
// from (network, containerID) exactly like the reference plugins do; not for security.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace netlib::sys {

using Sha512Digest = std::array<std::uint8_t, 64>;

// Incremental form, so callers can hash "network" + "containerID" without concatenating.
class Sha512 {
  public:
    Sha512() noexcept;
    void update(std::string_view data) noexcept;
    Sha512Digest finish() noexcept;  // the object must not be updated afterwards

  private:
    void compress(const std::uint8_t* block) noexcept;

    std::array<std::uint64_t, 8> state_;
    std::array<std::uint8_t, 128> buf_{};
    std::size_t buf_len_ = 0;
    std::uint64_t total_len_ = 0;  // bytes; inputs here are far below 2^61 bytes
};

Sha512Digest sha512(std::string_view data) noexcept;

// Lowercase hex, 128 characters.
std::string to_hex(const Sha512Digest& digest);

}  // namespace netlib::sys
