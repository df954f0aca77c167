"""Section 4 of the coverage benchmark (benchmarks/coverage.py): the default answer on held-out instances.

Each instance is 1,500 communes drawn at random among those of a random metropolitan région that has more
(demand = candidates, weighted by population), k = 30, R = 8 km: once greenfield, once with the France
Services of the drawn communes' départements as existing places. The seed was not used while tuning the
engine. For each: the fast answer (greedy, swaps, bound: `exact_budget_s=0`, the default answer before the
short exact solve existed), the engine's default answer (HiGHS for 2 s when the proven gap is above 0.1 % on
a small model) and the app's (the same with CBC), against the optimum proven by CBC in exact mode. Shares are
given of the population covered in all and of the population added by the k picks (what a planner reads:
with existing places, the first hides most of the difference).
"""

import numpy as np
from coverage_tools import fmt_s, print_table, proof, share, timed

from relais.coverage import engine, exact

HELD_OUT_SEED = 20251203
COMMUNES, K, RADIUS_KM = 1500, 30, 8.0
DROM_REGIONS = {"01", "02", "03", "04", "06"}


def held_out_instances(communes, places, count):
    """(région code, indices of the communes drawn, boolean mask of the existing places), `count` times."""
    rng = np.random.default_rng(HELD_OUT_SEED)
    regions = communes["reg"].astype(str)
    eligible = [
        r for r in sorted(set(regions)) if r not in DROM_REGIONS and int((regions == r).sum()) > COMMUNES
    ]
    for _ in range(count):
        region = str(rng.choice(eligible))
        drawn = np.sort(rng.choice(np.flatnonzero(regions == region), size=COMMUNES, replace=False))
        departments = sorted(set(communes["dep"][drawn].astype(str)))
        yield region, drawn, np.isin(places["dep"].astype(str), departments)


def bench_held_out(communes, places, cfg):
    limit = cfg["held_out_limit_s"]
    print(
        f"\n4. Held-out instances: {COMMUNES:,} communes of a random région, k = {K}, R = {RADIUS_KM:g} km "
        f"(seed {HELD_OUT_SEED}, not used while tuning)"
    )
    rows, results = [], []
    for region, drawn, existing in held_out_instances(communes, places, cfg["held_out_instances"]):
        lat, lon, w = communes["lat"][drawn], communes["lon"][drawn], communes["pop"][drawn]
        for variant, sites in (("greenfield", None), ("France Services", existing)):
            site_lat = places["lat"][sites] if sites is not None else None
            site_lon = places["lon"][sites] if sites is not None else None

            def run(site_lat=site_lat, site_lon=site_lon, lat=lat, lon=lon, w=w, **options):
                return engine.recommend_sites(
                    lat, lon, w, lat, lon, RADIUS_KM, K, site_lat, site_lon, **options
                )

            t_fast, fast = timed(lambda run=run: run(exact_budget_s=0), cfg["repeats"])
            t_highs, highs = timed(lambda run=run: run(), 1)
            t_app, app = timed(lambda run=run: run(exact_solver=exact.cbc_solver), 1)
            t_opt, optimum = timed(
                lambda run=run: run(exact=True, time_limit_s=limit, exact_solver=exact.cbc_solver), 1
            )
            basis = optimum.covered_weight if optimum.exact else optimum.upper_bound
            added_opt = basis - optimum.existing_weight
            result = {
                "fast_total": share(fast.covered_weight, basis),
                "fast_added": share(fast.covered_weight - fast.existing_weight, added_opt),
                "fast_gap": fast.gap,
                "default_added": share(app.covered_weight - app.existing_weight, added_opt),
                "default_proven": app.exact,
                "highs_proven": highs.exact,
                "default_s": t_app,
                "optimum_proven": optimum.exact,
            }
            results.append(result)
            rows.append(
                [
                    region,
                    variant,
                    f"{fast.existing_weight:,.0f}",
                    f"{added_opt:,.0f}" + ("" if optimum.exact else " (bound)"),
                    f"{result['fast_total'] * 100:.2f} %",
                    f"{result['fast_added'] * 100:.2f} %",
                    f"{fast.gap * 100:.2f} %",
                    fmt_s(t_fast),
                    f"{share(highs.covered_weight - highs.existing_weight, added_opt) * 100:.2f} %",
                    f"{fmt_s(t_highs)} {proof(highs)}",
                    f"{result['default_added'] * 100:.2f} %",
                    f"{fmt_s(t_app)} {proof(app)}",
                    f"{fmt_s(t_opt)} {'opt' if optimum.exact else 'limit'}",
                ]
            )
    print_table(
        f"   fast answer: median of {cfg['repeats']} runs; default answers and CBC exact mode once "
        f"(limit {limit:.0f} s); shares of the optimum",
        [
            "région",
            "existing",
            "covered before",
            "added by optimum",
            "fast: total",
            "fast: added",
            "fast: own gap",
            "fast",
            "engine default: added",
            "engine default (HiGHS)",
            "app default: added",
            "app default (CBC)",
            "CBC exact mode",
        ],
        rows,
    )
    fast_total = [r["fast_total"] for r in results]
    fast_added = [r["fast_added"] for r in results]
    default_added = [r["default_added"] for r in results]
    print(
        f"   fast answer: mean {np.mean(fast_total) * 100:.2f} % of the covered population, "
        f"{np.mean(fast_added) * 100:.2f} % of the population added (min {min(fast_added) * 100:.2f} %), "
        f"mean own gap {np.mean([r['fast_gap'] for r in results]) * 100:.2f} %"
    )
    slowest = max(r["default_s"] for r in results)
    print(
        f"   app default answer: mean {np.mean(default_added) * 100:.3f} % of the population added "
        f"(min {min(default_added) * 100:.3f} %), proven optimal on "
        f"{sum(r['default_proven'] for r in results)}/{len(results)} (engine default with HiGHS: "
        f"{sum(r['highs_proven'] for r in results)}/{len(results)}), at most {fmt_s(slowest)}"
    )
    return results
