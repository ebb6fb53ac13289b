netrun_add_gtest(nat_names_test SOURCES nat/names_test.cpp LIBS netlib_nat LABELS unit)
netrun_add_gtest(nat_iptables_save_test SOURCES nat/iptables_save_test.cpp LIBS netlib_nat LABELS unit)
netrun_add_gtest(nat_masq_rules_test SOURCES nat/masq_rules_test.cpp LIBS netlib_nat LABELS unit)
netrun_add_gtest(nat_masq_factory_test SOURCES nat/masq_factory_test.cpp LIBS netlib_nat LABELS unit)
