# One binary: its main() enters private net+mount namespaces before any test runs.
netrun_add_gtest(nat_masq_iptables_test
  SOURCES nat/private_netns_main.cpp nat/masq_iptables_test.cpp nat/masq_interop_test.cpp
          nat/nft_chain_rules_test.cpp nat/nft_batch_test.cpp nat/nft_masq_test.cpp
          nat/portmap_iptables_test.cpp
  LIBS netlib_nat LABELS netns TIMEOUT 120)
