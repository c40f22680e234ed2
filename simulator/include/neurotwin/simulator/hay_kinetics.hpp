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

// Physical constants of NEURON >= 8 (CODATA 2018), spec §5.3.
inline constexpr double kGasConstant_J_per_mol_K = 8.314462618;
inline constexpr double kFaraday_C_per_mol = 96485.33212;

// Calcium reversal potential (mV): (1000 R (celsius + 273.15) / (2 F)) ln(cao/cai)   (§5.3).
double calcium_nernst_mV(double cai_mM, double cao_mM, double celsius);

// CaDynamics_E2 (§6.13): dcai/dt = -10000 ica gamma / (2 F depth) - (cai - minCai) / decay,
// with ica in mA/cm², depth in µm. One cnexp step with ica frozen (§11.2 step 9).
struct CalciumPool {
  double gamma = 0.05;
  double decay_ms = 80;
  double depth_um = 0.1;
  double min_cai_mM = 1e-4;
  // Steady state for a fixed ica, and the influx factor 10000 / (2 F depth) (mM/ms per mA/cm²).
  double influx_per_mA_per_cm2() const { return 10000.0 / (2.0 * kFaraday_C_per_mol * depth_um); }
  double step(double cai_mM, double ica_mA_per_cm2, double dt_ms) const;
};

}  // namespace neurotwin::hay
