"""Buy-till-you-die customer models, fitted with numpy and scipy only.

* BG/NBD (Fader, Hardie and Lee, "Counting your customers the easy way", 2005):
  while alive, a customer buys at a Poisson rate ``lambda ~ Gamma(r, alpha)``;
  after each purchase the customer drops out with probability
  ``p ~ Beta(a, b)``. Inputs per customer: ``x`` repeat purchases (purchases
  after the first), ``t_x`` the time of the last purchase and ``T`` the age,
  both counted from the first purchase.
* Gamma-Gamma (Fader, Hardie and Lee, "RFM and CLV", 2005): the average order
  value of a customer with ``x`` purchases of mean ``m`` has the posterior mean
  ``p (gamma + x m) / (p x + q - 1)``.

Both are fitted by maximum likelihood (L-BFGS-B on the log parameters), as
published: without a penalty. Only a fit that diverges (a parameter running off
towards 0 or infinity, as on a tiny or degenerate dataset) is fitted again with
the caller's ``penalizer`` (L2 on the parameters), see ``_diverged``. Every
function is vectorised over customers: the cost is a few passes over arrays,
never a Python loop per customer. Time is in whatever unit the caller uses
(crm_extended passes weeks); ``alpha`` and ``gamma`` are in that unit and in
money respectively.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

_LOG_BOUNDS = (-12.0, 12.0)
# a fitted log parameter beyond this (a parameter above ~1,100 or below ~1/1,100,
# in units where the mean age or the mean order value is 1) has diverged
_DIVERGED_LOG = 7.0


@dataclass(frozen=True)
class BGNBDParams:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float


def _as_arrays(*arrays):
    return [np.asarray(arr, dtype=float) for arr in arrays]


def bgnbd_log_likelihood(params, x, t_x, T):
    """Log-likelihood of each customer under BG/NBD ``params`` (r, alpha, a, b)."""
    r, alpha, a, b = params
    x, t_x, T = _as_arrays(x, t_x, T)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    # the second term exists only for repeat buyers; log(b + x - 1) needs x > 0
    a4 = np.where(
        repeat,
        np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return a1 + a2 + np.logaddexp(a3, a4)


def _diverged(result):
    """True when a fit failed or a parameter ran off towards 0 or infinity."""
    return (
        result is None
        or not np.isfinite(result.fun)
        or bool((np.abs(result.x) > _DIVERGED_LOG).any())
    )


def fit_bgnbd(x, t_x, T, weights=None, penalizer=0.0):
    """Maximum-likelihood BG/NBD parameters, or None when the fit fails.

    ``weights`` counts identical customers once (the caller may group equal
    ``(x, t_x, T)`` triples). The fit is the published, unpenalized one; only
    when it diverges (see ``_diverged``) is it done again with ``penalizer``
    (L2 on the parameters), which keeps a tiny dataset from drifting to
    infinite ``a`` and ``b``.
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    weights = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if not len(x) or not (x > 0).any():
        return None
    total = weights.sum()
    scale = max(float(np.mean(T)), 1e-9)
    # fit in units where the mean age is 1: well-conditioned starting point
    t_x_s, T_s = t_x / scale, T / scale

    def fit(penalty):
        def objective(log_params):
            params = np.exp(log_params)
            ll = bgnbd_log_likelihood(params, x, t_x_s, T_s)
            return -(weights @ ll) / total + penalty * float(params @ params)

        best = None
        for start in ([0.0, 0.0, 0.0, 0.0], [0.0, -1.0, -0.5, 0.5]):
            res = minimize(objective, np.array(start), method="L-BFGS-B", bounds=[_LOG_BOUNDS] * 4)
            if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
                best = res
            if res.success and np.isfinite(res.fun):
                break  # the second start only rescues a failed first one
        return best

    best = fit(0.0)
    if penalizer and _diverged(best):
        best = fit(penalizer) or best
    if best is None:
        return None
    r, alpha, a, b = np.exp(best.x)
    return BGNBDParams(r=float(r), alpha=float(alpha * scale), a=float(a), b=float(b))


def _odds_dead(params, x, t_x, T):
    """a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0 for x = 0."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    log_odds = (
        np.log(a)
        - np.log(np.where(repeat, b + x - 1, 1.0))
        + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return np.where(repeat, np.exp(np.minimum(log_odds, 700.0)), 0.0)


def probability_alive(params, x, t_x, T):
    """P(customer still alive at T | x, t_x, T)."""
    x, t_x, T = _as_arrays(x, t_x, T)
    return 1.0 / (1.0 + _odds_dead(params, x, t_x, T))


def expected_purchases(params, t, x, t_x, T):
    """E[purchases in (T, T + t] | x, t_x, T], for each customer."""
    x, t_x, T = _as_arrays(x, t_x, T)
    t = np.broadcast_to(np.asarray(t, dtype=float), x.shape)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    ratio = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    if a > 1:
        numerator = (a + b + x - 1) / (a - 1) * (1.0 - ratio * hyp)
    else:
        # the closed form needs a > 1; fall back on the alive-rate bound
        numerator = (r + x) / (alpha + T) * t
    result = numerator / (1.0 + _odds_dead(params, x, t_x, T))
    return np.clip(np.nan_to_num(result, nan=0.0, posinf=0.0), 0.0, None)


def time_to_next_purchase(params, x, t_x, T, max_t, iterations=14):
    """Time from T until one more purchase is expected (E[Y(t)] = 1).

    NaN for customers who are not expected to buy once within ``max_t``.
    Vectorised bisection: E[Y(t)] grows with t.
    """
    x, t_x, T = _as_arrays(x, t_x, T)
    result = np.full(x.shape, np.nan)
    reach = expected_purchases(params, max_t, x, t_x, T) >= 1.0
    if not reach.any():
        return result
    xs, txs, Ts = x[reach], t_x[reach], T[reach]
    low = np.zeros(xs.shape)
    high = np.full(xs.shape, float(max_t))
    for _ in range(iterations):
        mid = (low + high) / 2
        above = expected_purchases(params, mid, xs, txs, Ts) >= 1.0
        high = np.where(above, mid, high)
        low = np.where(above, low, mid)
    result[reach] = high
    return result


def simulate_bgnbd(params, n, T, rng):
    """Draw ``n`` customers from a BG/NBD process observed for ``T`` each.

    :return: (x, t_x, T) arrays; for parameter-recovery tests and the bench.
    """
    T = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    lam = rng.gamma(params.r, 1.0 / params.alpha, n)
    p = rng.beta(params.a, params.b, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1.0 / lam[idx])
        bought = now[idx] < T[idx]
        buyers = idx[bought]
        x[buyers] += 1
        t_x[buyers] = now[buyers]
        alive[idx[~bought]] = False
        # a customer drops out after a purchase with probability p
        alive[buyers[rng.random(len(buyers)) < p[buyers]]] = False
    return x, t_x, T


def gamma_gamma_log_likelihood(params, x, m):
    p, q, gamma = params
    x, m = _as_arrays(x, m)
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + gamma)
    )


def fit_gamma_gamma(x, m, penalizer=0.0):
    """Gamma-Gamma parameters from customers with ``x >= 1`` orders of mean ``m > 0``.

    As published, ``x`` and ``m`` are the number and the mean value of the
    *repeat* purchases of the customers who came back (the first purchase is
    left out). ``penalizer`` is used only when the unpenalized fit diverges.
    None when there are too few customers or the fit fails.
    """
    x, m = _as_arrays(x, m)
    keep = (x >= 1) & (m > 0)
    x, m = x[keep], m[keep]
    if len(x) < 2:
        return None
    scale = float(np.mean(m))
    m_s = m / scale

    def fit(penalty):
        def objective(log_params):
            params = np.exp(log_params)
            ll = gamma_gamma_log_likelihood(params, x, m_s)
            return -float(np.mean(ll)) + penalty * float(params @ params)

        return minimize(
            objective, np.array([0.0, 0.0, 0.0]), method="L-BFGS-B", bounds=[_LOG_BOUNDS] * 3
        )

    res = fit(0.0)
    if penalizer and _diverged(res):
        res = fit(penalizer)
    if not np.isfinite(res.fun):
        return None
    p, q, gamma = np.exp(res.x)
    return GammaGammaParams(p=float(p), q=float(q), gamma=float(gamma * scale))


def expected_order_value(params, x, m):
    """Posterior mean order value; the population mean for customers without orders."""
    x, m = _as_arrays(x, m)
    p, q, gamma = params.p, params.q, params.gamma
    if q <= 1:
        # the mean of the value distribution does not exist: keep the observed mean
        return np.where(x > 0, m, 0.0)
    individual = p * (gamma + x * m) / (p * x + q - 1)
    return np.where((x > 0) & (m > 0), individual, p * gamma / (q - 1))
