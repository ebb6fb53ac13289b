#include "tuning.hpp"

int main() {
    return netlib::cni::plugin_main(tuning::plugin());
}
