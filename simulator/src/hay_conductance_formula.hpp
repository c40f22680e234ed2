#pragma once
// The conductances of a Hay site's channels per ion from its gates (spec §6), shared by HayMembrane
// (one lane's double gates) and TabulatedHayMembrane's kernel (hay_table_kernel.cpp: vectors of lanes
// from float gates, compiled once per instruction set); the same operations in the same order. Internal linkage: each file compiles its own copy for its instruction set, and
// no two copies meet at link time.
#include "neurotwin/simulator/hay_membrane.hpp"

namespace neurotwin {
namespace {

// V: double, or a vector of lanes' doubles (GCC vector extension).
template <class V>
struct HayConductances {
  V na{}, k{}, ca{}, h{};  // S/cm²
};

// at(HayGate j): gate j's value as a V; sk_z: SK_E2's z; axonal: the site has some of the axon-only
// channels (NaTa_t, Nap_Et2, K_Pst, K_Tst), whose terms are zero elsewhere.
// G: HayDensities, or a struct of the same density members as vectors (sites side by side).
template <class V, class G, class GateAt>
HayConductances<V> hay_conductances(const G& g, const GateAt& at, V sk_z, bool axonal) {
  HayConductances<V> c;
  c.na = g.nats2_t * at(kNats2M) * at(kNats2M) * at(kNats2M) * at(kNats2H);
  c.k = g.skv3_1 * at(kSkv3M) + g.sk_e2 * sk_z + g.im * at(kImM);
  if (axonal) {
    c.na = g.nata_t * at(kNataM) * at(kNataM) * at(kNataM) * at(kNataH) + c.na +
           g.nap_et2 * at(kNapM) * at(kNapM) * at(kNapM) * at(kNapH);
    const V kt_m2 = at(kKtM) * at(kKtM);
    c.k = g.k_pst * at(kKpM) * at(kKpM) * at(kKpH) + g.k_tst * kt_m2 * kt_m2 * at(kKtH) + g.skv3_1 * at(kSkv3M) +
          g.sk_e2 * sk_z + g.im * at(kImM);
  }
  c.ca = g.ca_hva * at(kHvaM) * at(kHvaM) * at(kHvaH) + g.ca_lvast * at(kLvaM) * at(kLvaM) * at(kLvaH);
  c.h = g.ih * at(kIhM);
  return c;
}

}  // namespace
}  // namespace neurotwin
