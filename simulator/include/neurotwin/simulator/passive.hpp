#pragma once
#include <cstddef>
#include <vector>

#include "neurotwin/simulator/mechanism.hpp"

namespace neurotwin {

// NEURON's `pas`: i = g_pas (v - e_pas)   (spec §6.12).
class PassiveMechanism final : public Mechanism {
 public:
  struct Instance {
    int node;
    double g_S_per_cm2;
    double e_mV;
  };
  explicit PassiveMechanism(std::vector<Instance> instances, std::size_t lanes = 1);
  void initialize(const double*) override {}
  void add_currents(const MembraneArrays& m) const override;
  // g_pas and e_pas by node (0 where no instance is), where no node has two instances.
  bool node_leak(std::size_t nodes, std::vector<double>& g_S_per_cm2, std::vector<double>& e_mV) const override;
  void advance(const double*, double) override {}

 private:
  std::vector<Instance> instances_;
  std::size_t lanes_;
  // By node up to the last instance's: g_pas and e_pas (0 where no instance is), for node_leak,
  // where every instance has a node of its own.
  std::vector<double> node_g_S_per_cm2_, node_e_mV_;
  bool one_per_node_ = false;
};

}  // namespace neurotwin
