"""High-precision reference values for pkg/stats that R computes less precisely.

    /usr/bin/python3 scripts/stats/generate_reference.py   (from the repository root)

writes pkg/stats/testdata/noncentral_t_mpmath.json: upper tails of the
noncentral t distribution, P(T > q) for T = (Z + ncp)/sqrt(V/df), computed
with mpmath at 40 significant digits by integrating Φ(ncp - q·s) against the
density of s = sqrt(V/df) (tanh-sinh quadrature). R's pt(q, df, ncp) is
accurate only to about 1e-11 (and warns in places), and SciPy's Boost-based
nct.sf loses about 1e-11 at df in the millions, so the Go noncentral t is
checked against R loosely (noncentral_t.json, written by
generate_reference.R) and against these values tightly. Use Debian's
/usr/bin/python3, which has mpmath.
"""

import json
import os
import sys

import mpmath as mp

OUT = os.path.join("pkg", "stats", "testdata", "noncentral_t_mpmath.json")


def nct_upper(q: float, df: float, ncp: float) -> mp.mpf:
    df, q, ncp = mp.mpf(df), mp.mpf(q), mp.mpf(ncp)
    log_norm = (df / 2) * mp.log(df / 2) - mp.loggamma(df / 2) + mp.log(2)

    def integrand(s):
        # density of s = sqrt(V/df), V ~ chi-square(df)
        log_pdf = log_norm + (df - 1) * mp.log(s) - df * s * s / 2
        return mp.ncdf(ncp - q * s) * mp.exp(log_pdf)

    sd = 1 / mp.sqrt(2 * df)  # approximate sd of s
    hi = 1 + 60 * sd
    cuts = sorted({mp.mpf(0)} | {1 + k * sd for k in range(-60, 61, 2) if 0 < 1 + k * sd < hi} | {hi})
    return mp.quad(integrand, cuts)


def main() -> None:
    if not os.path.isdir(os.path.dirname(OUT)):
        sys.exit("run from the repository root")
    mp.mp.dps = 40
    cases = []
    for df in (2, 2.5, 3.5, 7, 18, 50, 199, 1000, 12345, 1e5, 3.9e5, 2e6):
        for ncp in (0, 0.5, 2.8, 6, 15):
            for q in (-1, 1.3, 1.96, 2.6, 4):
                upper = nct_upper(q, df, ncp)
                if upper < mp.mpf("1e-300"):  # below float64's useful range
                    continue
                cases.append({"q": q, "df": df, "ncp": ncp, "upper": float(upper)})
    with open(OUT, "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")
    print("wrote", OUT, len(cases), "cases")


if __name__ == "__main__":
    main()
