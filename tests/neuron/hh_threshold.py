#!/usr/bin/env python3
"""NEURON oracle: current threshold of a single hh compartment.

One section, L = diam = 20 um, NEURON's built-in hh (default parameters,
celsius 6.3, usetable_hh as given), IClamp at the centre: delay 5 ms, the given
duration. Bisection over the amplitude for a spike (v > 0 mV within 40 ms).
Prints the threshold in nA.  Usage: hh_threshold.py DURATION_MS USE_TABLE(0|1)
"""
import sys

from neuron import h

h.load_file("stdrun.hoc")


def main():
    duration = float(sys.argv[1])
    h.usetable_hh = int(sys.argv[2])
    h.celsius = 6.3
    soma = h.Section(name="soma")
    soma.L = soma.diam = 20
    soma.insert("hh")
    clamp = h.IClamp(soma(0.5))
    clamp.delay, clamp.dur = 5, duration
    v = h.Vector().record(soma(0.5)._ref_v)
    h.dt = 0.025

    def spikes(amp):
        clamp.amp = amp
        h.finitialize(-65)
        h.continuerun(40)
        return v.max() > 0

    lo, hi = 0.0, 5.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if spikes(mid):
            hi = mid
        else:
            lo = mid
    print("%.12f" % hi)


if __name__ == "__main__":
    main()
