#pragma once
// What NftPortmap and NftMasq record per container before the transaction that writes its
// nftables elements: network, container ID, then "<set>\t<key>" per element. DEL deletes
// exactly those elements; GC finds the containers of a network from these files alone.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netlib::nat {

using SetKey = std::pair<std::string, std::string>;  // set or map name, key as nft writes it

struct ElementRecord {
    std::string network, container_id;
    std::vector<SetKey> elems;
};

std::string element_record_text(std::string_view network, std::string_view container_id,
                                std::span<const SetKey> elems);
// nullopt when the file is missing or unreadable.
std::optional<ElementRecord> read_element_record(const std::string& path);
// Container IDs of `network` recorded in dir that are not in valid_ids; records cut short
// by a crash are swept first.
std::vector<std::string> stale_recorded_ids(const std::string& dir, std::string_view network,
                                            std::span<const std::string> valid_ids);

}  // namespace netlib::nat
