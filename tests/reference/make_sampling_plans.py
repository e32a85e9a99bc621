"""Reference sampling plans and parcel bounds from scipy's hypergeometric distribution, for
tests/parcel_reference.rs. Run: python3 tests/reference/make_sampling_plans.py (scipy 1.17.1,
as pinned in models/train/requirements.txt); writes tests/reference/sampling_plans.json.

plan: the smallest n with P(X = 0) <= 1 - confidence, X ~ Hypergeom(N, D, n), D = share N
rounded up (a product a float rounding above a whole number is that number). scipy's logpmf
is off by up to a few 1e-7 for parcels of 10^8 and more, which moves the boundary by a stone:
each plan is therefore settled exactly with mpmath (50 digits) next to scipy's answer, and both
are written (`sample_size` exact, `scipy` as scipy finds it).
upper: the largest D with P(X <= k) > 1 - confidence, having found k bad stones in n."""
import json
import math
import os

import mpmath as mp
from scipy.stats import hypergeom

mp.mp.dps = 50


def bad_stones(N, share):
    x = share * N
    w = round(x)
    d = w if abs(x - w) <= 1e-9 * max(w, 1) else math.ceil(x)
    return min(max(1, d), N)


def exact_ln_none(N, D, n):
    """ln P(X = 0), exactly, as the shorter of the two products."""
    if n > N - D:
        return -mp.inf
    if n <= D:
        return mp.fsum(mp.log1p(-mp.mpf(D) / (N - i)) for i in range(n))
    return mp.fsum(mp.log1p(-mp.mpf(n) / (N - D + j)) for j in range(1, D + 1))


def plan(N, share, conf):
    D = bad_stones(N, share)
    alpha = 1.0 - conf
    lo, hi = 1, N - D + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if hypergeom.logpmf(0, N, D, mid) <= math.log(alpha):
            hi = mid
        else:
            lo = mid + 1
    return lo


def upper(k, n, N, conf):
    alpha = 1.0 - conf
    lo, hi = k, N - (n - k)
    while lo < hi:
        mid = lo + (hi - lo + 1) // 2
        if hypergeom.cdf(k, N, mid, n) > alpha:
            lo = mid
        else:
            hi = mid - 1
    return lo


plans = []
for N in [10, 37, 100, 1000, 12_345, 100_000, 1_000_000, 5_000_000, 10_000_000, 100_000_000, 1_000_000_000]:
    for share in [0.5, 0.1, 0.01, 0.0005, 0.00001, 0.000001]:
        if share * N < 1:
            continue
        for conf in [0.9, 0.95, 0.99, 0.999, 0.999999]:  # (not 0.5: exact ties at small N)
            sp = plan(N, share, conf)
            D = bad_stones(N, share)
            la = mp.log(mp.mpf(1) - mp.mpf(conf))
            n = sp
            while n > 1 and exact_ln_none(N, D, n - 1) <= la:
                n -= 1
            while exact_ln_none(N, D, n) > la:
                n += 1
            if n > N - D:
                continue  # the whole parcel: refused by the service
            plans.append({"parcel_size": N, "max_share": share, "confidence": conf, "sample_size": n, "scipy": sp})
uppers = []
for N, n in [(50, 10), (1000, 50), (1000, 200), (100_000, 300), (5_000_000, 1000)]:
    for k in [0, 1, 3, 10]:
        if k > n:
            continue
        for conf in [0.9, 0.95, 0.99]:
            uppers.append({"k": k, "n": n, "parcel_size": N, "confidence": conf, "upper": upper(k, n, N, conf)})
out = os.path.join(os.path.dirname(__file__), "sampling_plans.json")
with open(out, "w") as f:
    json.dump({"scipy": __import__("scipy").__version__, "plans": plans, "uppers": uppers}, f, indent=0)
print(f"{len(plans)} plans, {len(uppers)} bounds -> {out}")
