#pragma once
// The synaptic currents of the default integration mode (tabulated Mg block;
// spec §8.2, §8.3, §8.5) over every synapse and lane, followed by the decay
// of the states over dt (NET_RECEIVE-free part of the step, §11.2 step 9) or, with deferred decay,
// the currents of the scaled states alone:
// the lanes of a synapse are processed as vectors. Compiled once per
// instruction set (synapse_kernel.cpp, as hay_table_kernel.cpp). Plain
// structs and pointers only.
#include <cstddef>

namespace neurotwin {

inline constexpr std::size_t kMaxKernelComponents = 4;

struct SynapseComponentArrays {
  double* a = nullptr;   // [synapse * lanes + lane]
  double* b = nullptr;
  double gmax_uS = 0;
  double rise_decay = 1, fall_decay = 1;  // exp(-dt/tau_rise), exp(-dt/tau_decay)
  double rise_scale = 1, fall_scale = 1;  // deferred decay: A = rise_scale a, B = fall_scale b
};

struct SynapseSweep {
  std::size_t synapses = 0, lanes = 1;
  const int* nodes = nullptr;     // per synapse
  const double* scale = nullptr;  // per synapse: 100 / area
  std::size_t plain = 0, blocked = 0;  // components without and with the Mg block
  SynapseComponentArrays plain_components[kMaxKernelComponents], blocked_components[kMaxKernelComponents];
  double e_mV = 0;
  // Without blocked components: dI/dv as NEURON's difference (I(v + 0.001) - I(v)) / 0.001 (§8.5).
  bool numeric_slope = false;
  // Deferred decay: g from the scaled states, which the kernel then leaves alone (the caller decays
  // the scales); else g from the states, which decay over dt.
  bool deferred_decay = false;
  const double* mg_table = nullptr;  // B_Mg at mg_low + k mg_step mV
  std::size_t mg_rows = 0;
  double mg_low_mV = 0, mg_high_mV = 0, mg_points_per_mV = 0;
  const double* v_mV = nullptr;   // node * lanes + lane
  double* rhs = nullptr;
  double* diag = nullptr;
};

namespace synapse_kernels {
struct Kernels {
  void (*sweep)(const SynapseSweep&);
  // Two sweeps whose synapses sit on the same nodes (same count, same node list): at each synapse the
  // first's current, then the second's, with the node's voltage, rhs and diag read once. Numbers: those
  // of the two sweeps one after the other wherever no two synapses of a sweep share a node.
  void (*sweep_pair)(const SynapseSweep&, const SynapseSweep&);
};
Kernels generic_kernel();
Kernels avx2_kernel();
Kernels avx512_kernel();
}  // namespace synapse_kernels

}  // namespace neurotwin
