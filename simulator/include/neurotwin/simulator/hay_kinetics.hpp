#pragma once

namespace neurotwin::hay {

// Gate kinetics of the Hay et al. 2011 L5PC mechanisms as Beniaguev used them
// (spec §6): steady states and time constants (ms) at membrane voltage v (mV),
// including NEURON's "nudge" at removable singularities and the fixed
// temperature factor qt = 2.3^((34 - 21)/10) where the mechanism applies it.
// Gates a mechanism lacks are left at inf = 1, tau = 1.
struct Gates {
  double m_inf = 1, m_tau_ms = 1, h_inf = 1, h_tau_ms = 1;
};

inline constexpr double kQt = 2.952882641412121;  // 2.3^1.3

Gates nata_t(double v);    // §6.1  fast transient Na (axon)
Gates nats2_t(double v);   // §6.2  transient Na, +6 mV (soma, apical)
Gates nap_et2(double v);   // §6.3  persistent Na (axon)
Gates k_pst(double v);     // §6.4  persistent K (axon)
Gates k_tst(double v);     // §6.5  transient K (axon)
Gates skv3_1(double v);    // §6.6  Kv3.1 (m only)
Gates ca_hva(double v);    // §6.8  high-voltage-activated Ca
Gates ca_lvast(double v);  // §6.9  low-voltage-activated (T-type) Ca
Gates im(double v);        // §6.10 muscarinic K (m only)
Gates ih(double v);        // §6.11 Ih, vhalf = -154.9 mV, vshift = 0 (m only)
double sk_e2_z_inf(double cai_mM);  // §6.7 SK_E2 (tau_z = 1 ms)

}  // namespace neurotwin::hay
