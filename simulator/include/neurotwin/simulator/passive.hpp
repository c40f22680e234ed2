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
  // Every node's current at once (g = 0 where no instance is): possible where no node has two instances.
  bool set_currents(const MembraneArrays& m, std::size_t nodes) const override;
  void advance(const double*, double) override {}

 private:
  std::vector<Instance> instances_;
  std::size_t lanes_;
  // By node up to the last instance's: g_pas and e_pas (0 where no instance is), for set_currents,
  // which works where every instance has a node of its own.
  std::vector<double> node_g_S_per_cm2_, node_e_mV_;
  bool writes_every_node_ = false;
};

}  // namespace neurotwin
