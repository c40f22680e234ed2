// The Hay L5PC gate kinetics against the check values of spec §6.14, which
// were read back from NEURON 8.2 running the original mechanism files.
#include <catch2/catch.hpp>
#include <cmath>

#include <algorithm>
#include <vector>

#include "neurotwin/simulator/hay_kinetics.hpp"
#include "neurotwin/simulator/hay_membrane_tabulated.hpp"

using namespace neurotwin::hay;

namespace {

void check(const Gates& g, double m_inf, double m_tau, double h_inf, double h_tau) {
  CHECK(g.m_inf == Approx(m_inf).epsilon(1e-6));
  CHECK(g.m_tau_ms == Approx(m_tau).epsilon(1e-6));
  CHECK(g.h_inf == Approx(h_inf).epsilon(1e-6));
  CHECK(g.h_tau_ms == Approx(h_tau).epsilon(1e-6));
}

void check_m(const Gates& g, double m_inf, double m_tau) {
  CHECK(g.m_inf == Approx(m_inf).epsilon(1e-6));
  CHECK(g.m_tau_ms == Approx(m_tau).epsilon(1e-6));
}

}  // namespace

TEST_CASE("Hay mechanism kinetics at -76 mV (spec §6.14)") {
  check(nata_t(-76), 2.600084e-03, 7.155596e-02, 8.411309e-01, 1.540329);
  check(nats2_t(-76), 9.580920e-04, 6.196969e-02, 9.350308e-01, 1.227701);
  check(nap_et2(-76), 6.138872e-03, 4.293358e-01, 9.381965e-01, 1.981460e+03);
  check(k_pst(-76), 4.422285e-03, 1.107987e+01, 7.485529e-01, 3.658219e+02);
  check(k_tst(-76), 3.007034e-02, 4.244721e-01, 5.000000e-01, 1.783515e+01);
  check_m(skv3_1(-76), 5.754495e-05, 1.356704);
  check(ca_hva(-76), 6.788429e-06, 1.003050, 7.090839e-01, 4.401193e+02);
  check(ca_lvast(-76), 2.472623e-03, 8.464444, 1.008786e-01, 2.330277e+01);
  check_m(im(-76), 2.745782e-04, 1.700252);
  check_m(ih(-76), 3.336243e-02, 4.975973e+01);
}

TEST_CASE("Hay mechanism kinetics at -20 mV (spec §6.14)") {
  check(nata_t(-20), 9.671920e-01, 9.500436e-02, 4.679567e-04, 4.903408e-01);
  check(nats2_t(-20), 9.155778e-01, 1.227564e-01, 1.271016e-03, 5.629854e-01);
  check(nap_et2(-20), 9.991648e-01, 5.700262e-01, 5.315114e-02, 1.038002e+03);
  check(k_pst(-20), 3.208213e-01, 6.133021, 1.798621e-02, 2.350258e+02);
  check(k_tst(-20), 3.713766e-01, 2.221222e-01, 3.684240e-03, 2.718369);
  check_m(skv3_1(-20), 1.816921e-02, 2.584201);
  check(ca_hva(-20), 9.252010e-01, 2.022265, 1.507846e-01, 2.868399e+02);
  check(ca_lvast(-20), 9.655548e-01, 2.014478, 1.777855e-05, 7.002935);
  check_m(im(-20), 9.525741e-01, 2.181207e+01);
  check_m(ih(-20), 9.813437e-05, 9.480116);
}

TEST_CASE("SK_E2 calcium dependence and the singular voltages (spec §6.7, nudges)") {
  CHECK(sk_e2_z_inf(5e-5) == Approx(3.268837e-5).epsilon(1e-6));
  CHECK(sk_e2_z_inf(1e-4) == Approx(9.098213e-4).epsilon(1e-6));
  CHECK(sk_e2_z_inf(1e-3) == Approx(0.9828937).epsilon(1e-6));
  // At the removable singularities the nudge keeps every value finite and close to its neighbours.
  for (double v : {-38.0, -66.0, -32.0, -60.0, -17.0, -64.4, -27.0, -154.9}) {
    for (const Gates& g : {nata_t(v), nats2_t(v), nap_et2(v), ca_hva(v), ih(v)}) {
      CHECK(std::isfinite(g.m_inf));
      CHECK(std::isfinite(g.m_tau_ms));
      CHECK(std::isfinite(g.h_inf));
      CHECK(std::isfinite(g.h_tau_ms));
    }
    CHECK(nata_t(v).m_inf == Approx(nata_t(v + 1e-6).m_inf).epsilon(1e-4));
    CHECK(ca_hva(v).m_tau_ms == Approx(ca_hva(v + 1e-6).m_tau_ms).epsilon(1e-4));
  }
}

TEST_CASE("calcium reversal potential and pool (spec §5.3, §6.13, §12)") {
  CHECK(calcium_nernst_mV(5e-5, 2.0, 6.3) == Approx(127.58951).epsilon(1e-7));
  CHECK(calcium_nernst_mV(1e-4, 2.0, 6.3) == Approx(119.24362).epsilon(1e-7));
  CHECK(calcium_nernst_mV(1e-4, 2.0, 34.0) == Approx(131.06).epsilon(1e-4));
  CalciumPool soma{0.000509, 294.679571, 0.1, 1e-4};
  CHECK(soma.influx_per_mA_per_cm2() == Approx(0.5182134828).epsilon(1e-9));
  // §12: after the first step at rest, soma cai = 5.0004242176962645e-5 mM, from
  // ica = -6.994428e-8 mA/cm² (evaluated at -76 mV with the initial gates).
  CHECK(soma.step(5e-5, -6.994428e-8, 0.025) == Approx(5.0004242176962645e-5).epsilon(1e-9));
  // Without calcium current the pool relaxes to minCai with tau = decay.
  double cai = 5e-5;
  for (int i = 0; i < 40 * 2000; ++i) cai = soma.step(cai, 0.0, 0.025);
  CHECK(cai == Approx(1e-4 - 5e-5 * std::exp(-2000 / 294.679571)).epsilon(1e-9));
}

// The default mode's currents take eca from ln cai, which the calcium kernel carries from step to step
// (a series in r = (cai_{n+1} - cai_n) / cai_n where |r| <= 2^-7, else the table's logarithm): it must
// stay on std::log(cai) through calcium transients, small ones (series only) and one that moves cai by
// more than 2^-7 in a step (the table).
TEST_CASE("the tabulated Hay membrane's ln cai follows std::log(cai) through calcium transients") {
  using neurotwin::HayMembrane;
  HayMembrane::Site gentle{0, {}}, violent{1, {}};
  gentle.g.ca_hva = 5e-4;
  gentle.g.ca_lvast = 1e-3;
  gentle.g.calcium_pool = true;
  gentle.g.pool.gamma = 5e-4;
  violent.g.ca_hva = 0.05;
  violent.g.calcium_pool = true;
  violent.g.pool.gamma = 1.0;
  violent.g.pool.decay_ms = 20;
  const double dt = 0.02;
  for (const std::size_t lanes : {std::size_t{1}, std::size_t{9}}) {
    INFO(lanes << " lanes");
    neurotwin::TabulatedHayMembrane membrane({gentle, violent}, 34.0, lanes);
    std::vector<double> v(2 * lanes, -75.0), rhs(2 * lanes), diag(2 * lanes);
    membrane.initialize(v.data());
    double largest_step[2] = {0, 0}, worst[2] = {0, 0};
    for (int n = 0; n < 2000; ++n) {  // 40 ms: rest, 3 ms at about 0 mV (each lane its own voltage), rest
      const double t = dt * n;
      for (std::size_t k = 0; k < v.size(); ++k) v[k] = t >= 2 && t < 5 ? -5.0 + static_cast<double>(k % lanes) : -75.0;
      std::fill(rhs.begin(), rhs.end(), 0.0);
      std::fill(diag.begin(), diag.end(), 0.0);
      membrane.add_currents({v.data(), rhs.data(), diag.data(), lanes});
      std::vector<double> before;
      for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t l = 0; l < lanes; ++l) before.push_back(membrane.cai_mM(i, l));
      membrane.advance(v.data(), dt);
      for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t l = 0; l < lanes; ++l) {
          const double cai = membrane.cai_mM(i, l), old = before[i * lanes + l];
          largest_step[i] = std::max(largest_step[i], std::fabs(cai - old) / old);
          worst[i] = std::max(worst[i], std::fabs(membrane.ln_cai(i, l) - std::log(cai)));
        }
    }
    CHECK(largest_step[0] > 1e-4);         // a transient ...
    CHECK(largest_step[0] < 0x1.0p-7);     // ... that the series alone follows
    CHECK(worst[0] < 1e-13);
    CHECK(largest_step[1] > 0x1.0p-7);     // steps where the table takes over
    CHECK(worst[1] < 2e-8);                // the table's error
  }
}
