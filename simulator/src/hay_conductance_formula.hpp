#pragma once
// The conductances of a Hay site's channels per ion from its gates (spec §6), shared by HayMembrane
// (one lane's double gates) and TabulatedHayMembrane's kernel (hay_table_kernel.cpp: vectors of lanes
// from float gates, compiled once per instruction set); the same operations in the same order, the
// kernel's multiply-adds fused. Internal linkage: each file compiles its own copy for its instruction
// set, and no two copies meet at link time.
#include "neurotwin/simulator/hay_membrane.hpp"

namespace neurotwin {
namespace {

// V: double, or a vector of lanes' doubles (GCC vector extension).
template <class V>
struct HayConductances {
  V na{}, k{}, ca{}, h{};  // S/cm²
};

// a b + c with two roundings, as NEURON's mechanisms compute it (HayMembrane's arithmetic).
struct SeparateMulAdd {
  template <class V>
  V operator()(const V& a, const V& b, const V& c) const {
    return a * b + c;
  }
};

// at(HayGate j): gate j's value as a V; sk_z: SK_E2's z; axonal: the site has some of the axon-only
// channels (NaTa_t, Nap_Et2, K_Pst, K_Tst), whose terms are zero elsewhere.
// G: HayDensities, or a struct of the same density members as vectors (sites side by side).
// mul_add(a, b, c): a b + c (SeparateMulAdd, or the default mode's kernels' fused multiply-add).
template <class V, class G, class GateAt, class MulAdd = SeparateMulAdd>
HayConductances<V> hay_conductances(const G& g, const GateAt& at, V sk_z, bool axonal, MulAdd mul_add = {}) {
  // Each sum adds its terms left to right, each product grouped left to right: with SeparateMulAdd
  // mul_add(a, b, sum) = a b + sum is sum + a b.
  HayConductances<V> c;
  c.na = g.nats2_t * at(kNats2M) * at(kNats2M) * at(kNats2M) * at(kNats2H);
  V k;  // the potassium terms before SK_E2 and Im
  if (axonal) {
    c.na = mul_add(g.nap_et2 * at(kNapM) * at(kNapM) * at(kNapM), at(kNapH),
                   mul_add(g.nata_t * at(kNataM) * at(kNataM) * at(kNataM), at(kNataH), c.na));
    const V kt_m2 = at(kKtM) * at(kKtM);
    k = mul_add(V{} + g.skv3_1, at(kSkv3M),
                mul_add(g.k_tst * kt_m2 * kt_m2, at(kKtH), g.k_pst * at(kKpM) * at(kKpM) * at(kKpH)));
  } else {
    k = g.skv3_1 * at(kSkv3M);
  }
  c.k = mul_add(V{} + g.im, at(kImM), mul_add(V{} + g.sk_e2, sk_z, k));
  c.ca = mul_add(g.ca_hva * at(kHvaM) * at(kHvaM), at(kHvaH), g.ca_lvast * at(kLvaM) * at(kLvaM) * at(kLvaH));
  c.h = g.ih * at(kIhM);
  return c;
}

}  // namespace
}  // namespace neurotwin
