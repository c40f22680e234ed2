#!/usr/bin/env python3
"""Compares two neurotwin dataset files with h5py: the same groups, datasets
(shape, dtype and every value, bit for bit) and attributes, except the
creation time. Exits 1 with the first difference.
Usage: compare_datasets.py A.h5 B.h5"""
import sys

import h5py
import numpy as np

IGNORED_ATTRIBUTES = {"created_utc"}


def fail(message):
    print("datasets differ: " + message)
    sys.exit(1)


def compare_attributes(name, a, b):
    keys_a = set(a.attrs) - IGNORED_ATTRIBUTES
    keys_b = set(b.attrs) - IGNORED_ATTRIBUTES
    if keys_a != keys_b:
        fail(f"{name}: attributes {sorted(keys_a ^ keys_b)} are in one file only")
    for key in sorted(keys_a):
        va, vb = a.attrs[key], b.attrs[key]
        if isinstance(va, np.ndarray) or isinstance(vb, np.ndarray):
            equal = np.array_equal(va, vb)
        else:
            equal = va == vb
        if not equal:
            fail(f"{name}: attribute {key}: {repr(va)[:200]} vs {repr(vb)[:200]}")


def compare(name, a, b):
    compare_attributes(name, a, b)
    if isinstance(a, h5py.Group) != isinstance(b, h5py.Group):
        fail(f"{name}: a group in one file, a dataset in the other")
    if isinstance(a, h5py.Group):
        if set(a.keys()) != set(b.keys()):
            fail(f"{name}: members {sorted(set(a.keys()) ^ set(b.keys()))} are in one file only")
        for key in sorted(a.keys()):
            compare(f"{name.rstrip('/')}/{key}", a[key], b[key])
        return
    if a.shape != b.shape or a.dtype != b.dtype:
        fail(f"{name}: shape/dtype {a.shape} {a.dtype} vs {b.shape} {b.dtype}")
    va, vb = a[()], b[()]
    if a.dtype.kind in "fiu":
        # bit-for-bit, NaN included
        if va.tobytes() != vb.tobytes():
            where = np.argwhere(va != vb)
            fail(f"{name}: values differ (first at {where[0].tolist() if len(where) else '?'})")
    elif not np.array_equal(va, vb):
        fail(f"{name}: values differ")


with h5py.File(sys.argv[1], "r") as fa, h5py.File(sys.argv[2], "r") as fb:
    compare("/", fa, fb)
print("identical (apart from created_utc)")
