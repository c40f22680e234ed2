#pragma once
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
  explicit PassiveMechanism(std::vector<Instance> instances, std::size_t lanes = 1)
      : instances_(std::move(instances)), lanes_(lanes) {}
  void initialize(const double*) override {}
  void add_currents(const MembraneArrays& m) const override;
  void advance(const double*, double) override {}

 private:
  std::vector<Instance> instances_;
  std::size_t lanes_;
};

}  // namespace neurotwin
