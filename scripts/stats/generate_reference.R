# Reference values for pkg/stats, computed with R's own functions from
# per-unit data that this script simulates (seeded).
#
#   Rscript scripts/stats/generate_reference.R     (from the repository root)
#
# writes pkg/stats/testdata/*.json. The Go tests read those files, so CI does
# not need R. Every expected value comes from raw per-unit data:
#   - Welch t: t.test(var.equal = FALSE); proportions: prop.test(correct = FALSE)
#   - ratio metrics: t.test on the survey-style linearised unit values
#     (y - R d)/mean(d) + R, whose mean is R and whose variance is the delta
#     method's
#   - CUPED: lm(y ~ x) on all units of both arms (and strata), then t.test on
#     residuals + mean(y)
#   - relative lifts: per-unit influence (linearisation) values, not the
#     closed-form variance of the Go code
#   - strata: per-stratum means and variances of the raw values, weights from
#     unit counts
#   - sequential: Johari et al.'s mSPRT and always-valid interval with mixing
#     variance tau^2 = rho^2 N se^2 (a different algebraic form from the Go
#     code's Waudby-Smith/GrowthBook one)
#   - chisq.test, p.adjust, wilcox.test, power.prop.test, power.t.test, pt
# Needs only base R (no packages); JSON is written by a small writer below.

out_dir <- "pkg/stats/testdata"
if (!dir.exists(out_dir)) stop("run from the repository root: ", out_dir, " not found")

# ---------------------------------------------------------------- JSON writer
num <- function(x) {
  if (is.na(x)) stop("NA in output")
  if (is.infinite(x)) return("null") # only df = Inf (z-based) is written as null
  sprintf("%.17g", x)
}
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.null(x)) return("null")
  if (inherits(x, "AsIs") || (is.atomic(x) && length(x) != 1)) {
    x <- unclass(x)
    if (length(x) == 0) return("[]")
    return(paste0("[", paste(vapply(as.list(x), function(v) to_json(v, inner), ""), collapse = ", "), "]"))
  }
  if (is.list(x)) {
    if (is.null(names(x))) {
      if (length(x) == 0) return("[]")
      items <- vapply(x, function(v) to_json(v, inner), "")
      return(paste0("[\n", inner, paste(items, collapse = paste0(",\n", inner)), "\n", indent, "]"))
    }
    items <- mapply(function(k, v) paste0("\"", k, "\": ", to_json(v, inner)), names(x), x)
    return(paste0("{\n", inner, paste(items, collapse = paste0(",\n", inner)), "\n", indent, "}"))
  }
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.character(x)) return(paste0("\"", gsub("\"", "\\\\\"", x), "\""))
  num(x)
}
write_json <- function(x, file) {
  path <- file.path(out_dir, file)
  writeLines(to_json(x), path)
  cat("wrote", path, "\n")
}

# ------------------------------------------------------------ data helpers
# arm_sums returns the sufficient statistics of one arm in one stratum, named
# like the JSON tags of stats.ArmSums.
arm_sums <- function(u) {
  s <- list(n = length(u$y), sum_y = sum(u$y), sum_y2 = sum(u$y^2))
  if (!is.null(u$d)) s <- c(s, list(sum_d = sum(u$d), sum_d2 = sum(u$d^2), sum_yd = sum(u$y * u$d)))
  if (!is.null(u$x)) s <- c(s, list(sum_x = sum(u$x), sum_x2 = sum(u$x^2), sum_xy = sum(u$x * u$y)))
  s
}

kind_of <- function(kind) switch(kind, mean = "mean", proportion = "proportion", ratio = "ratio")

gen_mean <- function(n, shape, mu) {
  switch(shape,
    normal = rnorm(n, mu, 2),
    exp = rexp(n, 1 / mu),
    pois = rpois(n, mu),
    revenue = ifelse(runif(n) < 0.3, rlnorm(n, log(mu), 1), 0)
  )
}

# ---------------------------------------------- per-arm unit-level estimates
# arm_estimate gives one arm's estimate in one stratum from raw units, plus the
# unit values whose variance/n is the variance of that estimate (linearised
# values for ratios, adjusted values for CUPED).
arm_estimate <- function(u, kind, cuped) {
  n <- length(u$y)
  if (cuped) {
    v <- u$adj # residuals of the pooled lm plus mean(y)
  } else if (kind == "ratio") {
    r <- sum(u$y) / sum(u$d)
    v <- (u$y - r * u$d) / mean(u$d) + r
  } else {
    v <- u$y
  }
  var_fn <- if (kind == "proportion" && !cuped) function(z) mean((z - mean(z))^2) else var
  list(n = n, mean = if (kind == "ratio" && !cuped) sum(u$y) / sum(u$d) else mean(v),
       var_mean = var_fn(v) / n, values = v, var_fn = var_fn,
       raw_mean = if (kind == "ratio") sum(u$y) / sum(u$d) else mean(u$y))
}

# compare_reference computes the expected Comparison for strata of raw units.
# ctrl and trt are lists (one element per stratum) of list(y, d, x).
compare_reference <- function(ctrl, trt, kind, cuped, alpha, seq_tuning = NULL) {
  if (cuped) {
    all_y <- unlist(c(lapply(ctrl, `[[`, "y"), lapply(trt, `[[`, "y")))
    all_x <- unlist(c(lapply(ctrl, `[[`, "x"), lapply(trt, `[[`, "x")))
    fit <- lm(all_y ~ all_x)
    theta <- unname(coef(fit)[2])
    adj_of <- function(u) u$y - theta * (u$x - mean(all_x)) # == residual + mean(y)
    # check the identity with lm's own residuals on this very data
    res_all <- residuals(fit) + mean(all_y)
    stopifnot(isTRUE(all.equal(unname(res_all), unlist(c(lapply(ctrl, adj_of), lapply(trt, adj_of))), tolerance = 1e-12)))
    ctrl <- lapply(ctrl, function(u) { u$adj <- adj_of(u); u })
    trt <- lapply(trt, function(u) { u$adj <- adj_of(u); u })
  } else {
    theta <- 0
  }
  n_ctrl <- sum(vapply(ctrl, function(u) length(u$y), 0))
  n_trt <- sum(vapply(trt, function(u) length(u$y), 0))
  keep <- which(vapply(seq_along(ctrl), function(s) length(ctrl[[s]]$y) >= 2 && length(trt[[s]]$y) >= 2, TRUE))
  ests_c <- lapply(ctrl[keep], arm_estimate, kind = kind, cuped = cuped)
  ests_t <- lapply(trt[keep], arm_estimate, kind = kind, cuped = cuped)
  units <- vapply(seq_along(keep), function(i) ests_c[[i]]$n + ests_t[[i]]$n, 0)
  w <- units / sum(units)

  m_c <- sum(w * vapply(ests_c, `[[`, 0, "mean"))
  m_t <- sum(w * vapply(ests_t, `[[`, 0, "mean"))
  v_c <- sum(w^2 * vapply(ests_c, `[[`, 0, "var_mean"))
  v_t <- sum(w^2 * vapply(ests_t, `[[`, 0, "var_mean"))
  est <- m_t - m_c
  se <- sqrt(v_c + v_t)
  u_terms <- c(w^2 * vapply(ests_c, `[[`, 0, "var_mean"), w^2 * vapply(ests_t, `[[`, 0, "var_mean"))
  n_terms <- c(vapply(ests_c, `[[`, 0, "n"), vapply(ests_t, `[[`, 0, "n"))
  df <- sum(u_terms)^2 / sum(u_terms^2 / (n_terms - 1))

  z_based <- kind == "proportion" && !cuped
  if (length(keep) == 1 && is.null(seq_tuning)) {
    # One stratum: R's own tests must agree with the formulas above.
    a <- ctrl[[keep]]; b <- trt[[keep]]
    if (z_based) {
      pt_ <- suppressWarnings(prop.test(c(sum(b$y), sum(a$y)), c(length(b$y), length(a$y)), correct = FALSE, conf.level = 1 - alpha))
      stopifnot(isTRUE(all.equal(unname(pt_$conf.int[1]), max(-1, est - qnorm(1 - alpha / 2) * se), tolerance = 1e-12)))
      lower <- pt_$conf.int[1]; upper <- pt_$conf.int[2]; p <- pt_$p.value
    } else {
      tt <- t.test(ests_t[[1]]$values, ests_c[[1]]$values, var.equal = FALSE, conf.level = 1 - alpha)
      stopifnot(isTRUE(all.equal(unname(tt$parameter), df, tolerance = 1e-10)))
      lower <- tt$conf.int[1]; upper <- tt$conf.int[2]; p <- tt$p.value
      df <- unname(tt$parameter)
    }
    crit <- if (z_based) qnorm(1 - alpha / 2) else qt(1 - alpha / 2, df)
  } else if (is.null(seq_tuning)) {
    if (z_based) {
      null_var <- sum(w^2 * vapply(seq_along(keep), function(i) {
        a <- ctrl[[keep[i]]]$y; b <- trt[[keep[i]]]$y
        pbar <- (sum(a) + sum(b)) / (length(a) + length(b))
        pbar * (1 - pbar) * (1 / length(a) + 1 / length(b))
      }, 0))
      p <- 2 * pnorm(-abs(est / sqrt(null_var)))
      crit <- qnorm(1 - alpha / 2)
    } else {
      p <- 2 * pt(-abs(est / se), df)
      crit <- qt(1 - alpha / 2, df)
    }
    lower <- est - crit * se; upper <- est + crit * se
  }
  if (z_based || !is.null(seq_tuning)) df <- Inf

  # Relative lift from per-unit influence values: L = est/|mu| with mu the
  # unadjusted control mean; a treatment unit enters L through its arm mean,
  # a control unit through its (adjusted) arm mean and through mu.
  mu <- sum(w * vapply(ests_c, `[[`, 0, "raw_mean"))
  rel_defined <- mu != 0
  if (rel_defined) {
    rel <- est / abs(mu)
    rel_var <- sum(vapply(seq_along(keep), function(i) {
      a <- ctrl[[keep[i]]]; b <- trt[[keep[i]]]
      vf <- ests_c[[i]]$var_fn
      if (kind == "ratio") {
        raw_a <- (a$y - ests_c[[i]]$raw_mean * a$d) / mean(a$d) # linearised control ratio
      } else {
        raw_a <- a$y
      }
      z_b <- ests_t[[i]]$values / mu
      z_a <- -ests_c[[i]]$values / mu - est * raw_a / mu^2
      w[i]^2 * (vf(z_b) / length(b$y) + vf(z_a) / length(a$y))
    }, 0))
    rel_se <- sqrt(rel_var)
  }

  if (!is.null(seq_tuning)) {
    # Johari, Pekelis & Walsh mSPRT with tau^2 = rho^2 N se^2.
    n_all <- n_ctrl + n_trt
    nstar <- if (seq_tuning == 0) 5000 else seq_tuning
    rho2 <- (-2 * log(alpha) + log(-2 * log(alpha) + 1)) / nstar
    msprt <- function(e, s) {
      V <- s^2; tau2 <- rho2 * n_all * s^2
      hw <- sqrt(V * (V + tau2) / tau2 * (log((V + tau2) / V) - 2 * log(alpha)))
      lambda <- sqrt(V / (V + tau2)) * exp(tau2 * e^2 / (2 * V * (V + tau2)))
      list(lower = e - hw, upper = e + hw, p = min(1, 1 / lambda))
    }
    m <- msprt(est, se)
    lower <- m$lower; upper <- m$upper; p <- m$p
    if (rel_defined) {
      mr <- msprt(rel, rel_se)
      rel_lower <- mr$lower; rel_upper <- mr$upper
    }
  } else if (rel_defined) {
    rel_lower <- rel - crit * rel_se; rel_upper <- rel + crit * rel_se
  }

  if (z_based) { # a difference of proportions lies in [-1, 1]; prop.test clips there
    lower <- max(lower, -1); upper <- min(upper, 1)
  }
  expected <- list(
    control = list(n = n_ctrl, mean = m_c, se = sqrt(v_c)),
    treatment = list(n = n_trt, mean = m_t, se = sqrt(v_t)),
    absolute = list(estimate = est, lower = lower, upper = upper, se = se),
    relative_defined = rel_defined,
    df = df, p_value = p
  )
  if (rel_defined) expected$relative <- list(estimate = rel, lower = rel_lower, upper = rel_upper, se = rel_se)
  list(
    control = lapply(ctrl, arm_sums), treatment = lapply(trt, arm_sums),
    expected = expected
  )
}

compare_case <- function(name, kind, ctrl, trt, cuped = FALSE, alpha = 0.05, seq_tuning = NULL) {
  ref <- compare_reference(ctrl, trt, kind, cuped, alpha, seq_tuning)
  c(list(name = name, kind = kind_of(kind), cuped = cuped, alpha = alpha,
         sequential = !is.null(seq_tuning), tuning_n = if (is.null(seq_tuning)) 0 else seq_tuning),
    ref)
}

# ------------------------------------------------------------ compare cases
set.seed(20260101)
mean_arm <- function(n, shape, mu) list(y = gen_mean(n, shape, mu))
prop_arm <- function(n, p) list(y = as.numeric(runif(n) < p))
ratio_arm <- function(n, rate) {
  d <- rpois(n, 3) + 1 # sessions per user, >= 1
  list(y = rpois(n, rate * d) * 1.0, d = d * 1.0)
}
cuped_arm <- function(n, effect, binary = FALSE) {
  x <- rgamma(n, 2, 0.5)
  y <- 0.8 * x + rnorm(n, 1 + effect, 1.5)
  if (binary) y <- as.numeric(y > 3.5)
  list(y = y, x = x)
}

cases <- list()
add <- function(c) cases[[length(cases) + 1]] <<- c

# Welch t on means: small and unequal n, skewed and count data, several alphas.
mean_specs <- list(
  list(2, 2, "normal", 5, 5.5, 0.05), list(3, 2, "normal", 5, 5, 0.05), list(5, 9, "exp", 3, 4, 0.05),
  list(10, 10, "normal", 10, 11, 0.1), list(37, 12, "pois", 4, 4.5, 0.05), list(100, 100, "revenue", 20, 20, 0.05),
  list(100, 140, "exp", 2, 2.2, 0.01), list(1000, 1000, "normal", 0, 0.1, 0.05), list(1000, 1200, "revenue", 30, 33, 0.05),
  list(5000, 5000, "pois", 2, 2.03, 0.05), list(250, 80, "normal", -3, -3.4, 0.05), list(60, 60, "pois", 0.3, 0.6, 0.2),
  list(2000, 400, "exp", 1, 1, 0.05), list(15, 300, "normal", 1, 1.5, 0.05), list(4, 4, "pois", 2, 6, 0.05),
  list(800, 800, "revenue", 5, 4.5, 0.001), list(120, 90, "normal", 0.2, 0.1, 0.05), list(3000, 3100, "exp", 8, 8.3, 0.05),
  list(50, 50, "normal", 100, 101, 0.05), list(7, 30, "exp", 10, 6, 0.05)
)
for (i in seq_along(mean_specs)) {
  s <- mean_specs[[i]]
  add(compare_case(sprintf("mean-%02d", i), "mean", list(mean_arm(s[[1]], s[[3]], s[[4]])),
                   list(mean_arm(s[[2]], s[[3]], s[[5]])), alpha = s[[6]]))
}

# Two proportions: prop.test(correct = FALSE), incl. small n and rare events.
prop_specs <- list(
  list(2, 3, 0.5, 0.5, 0.05), list(10, 10, 0.3, 0.6, 0.05), list(20, 35, 0.1, 0.2, 0.05), list(100, 100, 0.05, 0.1, 0.05),
  list(100, 120, 0.5, 0.5, 0.1), list(1000, 1000, 0.1, 0.12, 0.05), list(1000, 900, 0.01, 0.015, 0.05),
  list(5000, 5000, 0.2, 0.21, 0.05), list(10000, 10000, 0.03, 0.032, 0.01), list(50, 500, 0.9, 0.95, 0.05),
  list(300, 300, 0.97, 0.99, 0.05), list(40, 40, 0.02, 0.3, 0.05), list(2500, 2600, 0.4, 0.39, 0.05),
  list(15, 15, 0.4, 0.0001, 0.05), list(800, 200, 0.25, 0.25, 0.2), list(60, 70, 0.6, 0.45, 0.05),
  list(3000, 3000, 0.001, 0.003, 0.05), list(12, 500, 0.5, 0.3, 0.05), list(7000, 7000, 0.5, 0.51, 0.001),
  list(200, 200, 0.15, 0.1, 0.05)
)
for (i in seq_along(prop_specs)) {
  s <- prop_specs[[i]]
  a <- prop_arm(s[[1]], s[[3]]); b <- prop_arm(s[[2]], s[[4]])
  if (i == 14) b$y[] <- 0 # treatment has no conversions at all
  add(compare_case(sprintf("proportion-%02d", i), "proportion", list(a), list(b), alpha = s[[5]]))
}

# Ratio metrics (events per session, users as units).
ratio_specs <- list(
  list(3, 3, 1, 1.2), list(10, 12, 0.5, 0.5), list(50, 50, 2, 2.2), list(200, 180, 0.2, 0.25), list(1000, 1000, 1, 1.05),
  list(2000, 1500, 0.05, 0.06), list(25, 400, 3, 2.5), list(5000, 5000, 0.8, 0.8), list(100, 100, 10, 9), list(700, 650, 0.01, 0.03)
)
for (i in seq_along(ratio_specs)) {
  s <- ratio_specs[[i]]
  add(compare_case(sprintf("ratio-%02d", i), "ratio", list(ratio_arm(s[[1]], s[[3]])), list(ratio_arm(s[[2]], s[[4]]))))
}

# CUPED on means and on 0/1 outcomes.
cuped_specs <- list(
  list(20, 20, 0.3, FALSE), list(100, 100, 0, FALSE), list(500, 450, 0.2, FALSE), list(2000, 2000, 0.05, FALSE),
  list(8, 30, 1, FALSE), list(300, 300, 0.1, TRUE), list(1000, 1100, 0, TRUE), list(5000, 5000, 0.05, TRUE)
)
for (i in seq_along(cuped_specs)) {
  s <- cuped_specs[[i]]
  add(compare_case(sprintf("cuped-%02d", i), if (s[[4]]) "proportion" else "mean",
                   list(cuped_arm(s[[1]], 0, s[[4]])), list(cuped_arm(s[[2]], s[[3]], s[[4]])), cuped = TRUE))
}

# Strata: a ramp whose treatment share grows while the metric drifts.
ramp <- function(kind, sizes_c, sizes_t, level, effect = 0, cuped = FALSE) {
  ctrl <- list(); trt <- list()
  for (s in seq_along(sizes_c)) {
    lvl <- level[s]
    if (kind == "mean" && !cuped) {
      ctrl[[s]] <- mean_arm(sizes_c[s], "exp", lvl); trt[[s]] <- mean_arm(sizes_t[s], "exp", lvl + effect)
    } else if (kind == "proportion" && !cuped) {
      ctrl[[s]] <- prop_arm(sizes_c[s], lvl); trt[[s]] <- prop_arm(sizes_t[s], lvl + effect)
    } else if (kind == "ratio") {
      ctrl[[s]] <- ratio_arm(sizes_c[s], lvl); trt[[s]] <- ratio_arm(sizes_t[s], lvl + effect)
    } else {
      ctrl[[s]] <- cuped_arm(sizes_c[s], lvl); trt[[s]] <- cuped_arm(sizes_t[s], lvl + effect)
    }
  }
  list(ctrl = ctrl, trt = trt)
}
strata_specs <- list(
  list("mean", c(900, 500, 100), c(100, 500, 900), c(2, 3, 4), 0, FALSE),
  list("mean", c(50, 40), c(5, 60), c(1, 1.5), 0.2, FALSE),
  list("proportion", c(950, 800, 500), c(50, 200, 500), c(0.1, 0.12, 0.15), 0, FALSE),
  list("proportion", c(400, 400, 400, 400), c(20, 100, 200, 400), c(0.3, 0.3, 0.35, 0.4), 0.03, FALSE),
  list("ratio", c(300, 200), c(30, 200), c(1, 1.5), 0.1, FALSE),
  list("mean", c(400, 300, 200), c(40, 300, 600), c(0, 0.5, 1), 0.1, TRUE),
  list("mean", c(100, 1, 200), c(10, 50, 300), c(2, 2.5, 3), 0, FALSE), # middle stratum dropped
  list("proportion", c(500, 500), c(500, 500), c(0.2, 0.2), 0.02, FALSE) # equal weights
)
for (i in seq_along(strata_specs)) {
  s <- strata_specs[[i]]
  r <- ramp(s[[1]], s[[2]], s[[3]], s[[4]], s[[5]], s[[6]])
  add(compare_case(sprintf("strata-%02d", i), s[[1]], r$ctrl, r$trt, cuped = s[[6]]))
}

# Sequential (always-valid) versions: means, proportions, ratio, CUPED, strata.
seq_specs <- list(
  list("mean", 0, 0.05), list("mean", 1000, 0.05), list("mean", 20000, 0.1), list("proportion", 0, 0.05),
  list("proportion", 500, 0.01), list("ratio", 0, 0.05), list("cuped", 0, 0.05), list("strata", 0, 0.05),
  list("mean", 100, 0.05), list("proportion", 1e6, 0.05)
)
for (i in seq_along(seq_specs)) {
  s <- seq_specs[[i]]
  if (s[[1]] == "mean") {
    c_ <- list(mean_arm(800 * i, "exp", 2)); t_ <- list(mean_arm(700 * i, "exp", 2.1)); kind <- "mean"; cu <- FALSE
  } else if (s[[1]] == "proportion") {
    c_ <- list(prop_arm(1500 * i, 0.1)); t_ <- list(prop_arm(1500 * i, 0.115)); kind <- "proportion"; cu <- FALSE
  } else if (s[[1]] == "ratio") {
    c_ <- list(ratio_arm(2000, 1)); t_ <- list(ratio_arm(2100, 1.08)); kind <- "ratio"; cu <- FALSE
  } else if (s[[1]] == "cuped") {
    c_ <- list(cuped_arm(3000, 0)); t_ <- list(cuped_arm(3000, 0.15)); kind <- "mean"; cu <- TRUE
  } else {
    r <- ramp("mean", c(2000, 1500), c(200, 1500), c(2, 3), 0.2); c_ <- r$ctrl; t_ <- r$trt; kind <- "mean"; cu <- FALSE
  }
  add(compare_case(sprintf("sequential-%02d", i), kind, c_, t_, cuped = cu, alpha = s[[3]], seq_tuning = s[[2]]))
}
write_json(cases, "compare.json")

# ---------------------------------------------------------------------- SRM
set.seed(20260102)
srm_cases <- list()
srm_specs <- list(
  list(c(1, 1)), list(c(1, 1)), list(c(0.5, 0.5)), list(c(1, 1, 1)), list(c(0.1, 0.9)), list(c(1, 2, 3, 4)),
  list(c(1, 1), c(1, 1)), list(c(0.9, 0.1), c(0.5, 0.5), c(0.1, 0.9)), list(c(1, 1, 2), c(2, 1, 1)),
  list(c(0.95, 0.05)), list(c(1, 1)), list(c(1, 1, 1, 1, 1)), list(c(0.2, 0.3, 0.5), c(0.5, 0.3, 0.2)),
  list(c(1, 1), c(1, 3)), list(c(3, 1)), list(c(0.01, 0.99)), list(c(1, 1)), list(c(1, 1, 1)),
  list(c(0.5, 0.5), c(0.5, 0.5), c(0.5, 0.5), c(0.5, 0.5)), list(c(1, 1), c(1, 1))
)
for (i in seq_along(srm_specs)) {
  weights <- srm_specs[[i]]
  strata <- list(); chi <- 0; df <- 0
  for (s in seq_along(weights)) {
    w <- weights[[s]]
    total <- if (i == 20 && s == 2) 0 else round(10^runif(1, 0.5, 4.5))
    skew <- if (i %% 3 == 0) c(1.03, rep(1, length(w) - 1)) else rep(1, length(w)) # some mismatched
    obs <- if (total == 0) rep(0, length(w)) else as.vector(rmultinom(1, total, w * skew / sum(w * skew)))
    if (i == 17) obs <- c(7, 0) # an empty arm
    if (total > 0 && sum(obs) > 0) {
      ct <- suppressWarnings(chisq.test(obs, p = w / sum(w)))
      chi <- chi + unname(ct$statistic); df <- df + unname(ct$parameter)
      if (length(weights) == 1) single_p <- ct$p.value
    }
    strata[[s]] <- list(observed = I(obs), weights = I(w))
  }
  p <- if (length(weights) == 1) single_p else pchisq(chi, df, lower.tail = FALSE)
  srm_cases[[i]] <- list(name = sprintf("srm-%02d", i), strata = strata, chi_square = chi, df = df, p_value = p)
}
write_json(srm_cases, "srm.json")

# ---------------------------------------------------------------- p.adjust
set.seed(20260103)
padj_cases <- list()
for (i in 1:22) {
  m <- c(1, 2, 3, 5, 8, 10, 20, 50)[(i - 1) %% 8 + 1]
  p <- ifelse(runif(m) < 0.3, runif(m, 0, 0.01), runif(m))
  if (i == 9) p <- c(0.01, 0.01, 0.02, 0.02, 0.5)  # ties
  if (i == 10) p <- c(0, 1, 0.5, 0.001)             # bounds
  if (i == 11) p <- rep(0.04, 6)
  padj_cases[[i]] <- list(name = sprintf("padjust-%02d", i), p = I(p),
                          holm = I(p.adjust(p, "holm")), bh = I(p.adjust(p, "BH")))
}
write_json(padj_cases, "padjust.json")

# ------------------------------------------------------------ Mann-Whitney
set.seed(20260104)
mw_cases <- list()
mw_add <- function(name, x, y, conf, correct) {
  r <- suppressWarnings(wilcox.test(x, y, conf.int = TRUE, exact = FALSE, correct = correct, conf.level = conf))
  mw_cases[[length(mw_cases) + 1]] <<- list(
    name = name, x = I(x), y = I(y), conf_level = conf, correct = correct,
    w = unname(r$statistic), p_value = r$p.value, estimate = unname(r$estimate),
    lower = r$conf.int[1], upper = r$conf.int[2])
}
mw_add("kayenta-suite", c(10, 20, 30, 40), c(1, 2, 3, 4), 0.98, TRUE)
for (i in 1:24) {
  nx <- c(3, 5, 8, 12, 20, 40, 75, 200)[(i - 1) %% 8 + 1]
  ny <- c(4, 5, 9, 30, 20, 35, 60, 150)[(i + 2) %% 8 + 1]
  shift <- c(0, 0.5, 1, -0.7)[(i - 1) %% 4 + 1]
  x <- rnorm(nx, shift, 1); y <- rnorm(ny, 0, 1)
  if (i %% 3 == 0) { x <- round(x); y <- round(y) }          # heavy ties
  if (i %% 5 == 0) { x <- rexp(nx) * 100; y <- rexp(ny) * 90 } # skewed, larger scale
  conf <- c(0.95, 0.9, 0.98, 0.99)[(i - 1) %% 4 + 1]
  mw_add(sprintf("mw-%02d", i), x, y, conf, i %% 2 == 1)
}
mw_add("one-vs-many", 1, 2:40, 0.95, TRUE)     # interval at the range ends
mw_add("separated", c(5, 6, 7), c(1, 2), 0.95, FALSE)
write_json(mw_cases, "mannwhitney.json")

# ------------------------------------------------------------------- power
# n, power at n0 and MDE at n0, two-sided, strict = FALSE, at the
# per-comparison alpha alpha/(arms-1); tol tightened so R's roots are exact.
tol <- 1e-12
power_cases <- list()
prop_power <- list(
  list(0.1, 0.02, FALSE, 0.05, 0.8, 2, 1000), list(0.1, 0.04, TRUE, 0.05, 0.8, 2, 5000),
  list(0.5, 0.05, FALSE, 0.05, 0.9, 2, 500), list(0.02, 0.1, TRUE, 0.05, 0.8, 2, 20000),
  list(0.3, -0.03, FALSE, 0.05, 0.8, 2, 2000), list(0.1, 0.02, FALSE, 0.05, 0.8, 3, 1000),
  list(0.05, 0.2, TRUE, 0.01, 0.95, 2, 10000), list(0.8, 0.05, FALSE, 0.1, 0.8, 4, 300),
  list(0.001, 0.5, TRUE, 0.05, 0.8, 2, 1e5), list(0.25, 0.01, FALSE, 0.05, 0.5, 2, 20000),
  list(0.6, 0.3, FALSE, 0.05, 0.8, 2, 20), list(0.15, 0.1, TRUE, 0.05, 0.8, 5, 30000)
)
for (i in seq_along(prop_power)) {
  s <- prop_power[[i]]
  p1 <- s[[1]]; delta <- if (s[[3]]) s[[2]] * p1 else s[[2]]; a <- s[[4]] / (s[[6]] - 1)
  n <- power.prop.test(p1 = p1, p2 = p1 + delta, sig.level = a, power = s[[5]], tol = tol)$n
  pw <- power.prop.test(n = s[[7]], p1 = p1, p2 = p1 + delta, sig.level = a)$power
  p2 <- power.prop.test(n = s[[7]], p1 = p1, sig.level = a, power = s[[5]], tol = tol)$p2
  mde <- if (s[[3]]) (p2 - p1) / p1 else p2 - p1
  power_cases[[length(power_cases) + 1]] <- list(
    name = sprintf("prop-%02d", i), kind = "proportion", baseline = p1, sd = 0, mde = s[[2]], relative = s[[3]],
    alpha = s[[4]], power = s[[5]], arms = s[[6]], n_at = s[[7]], n = n, power_at = pw, mde_at = mde)
}
mean_power <- list(
  list(10, 3, 0.5, FALSE, 0.05, 0.8, 2, 500), list(10, 3, 0.05, TRUE, 0.05, 0.8, 2, 5000),
  list(0, 1, 0.2, FALSE, 0.05, 0.9, 2, 100), list(100, 40, 0.02, TRUE, 0.01, 0.8, 2, 1e5),
  list(5, 1, 1, FALSE, 0.05, 0.8, 2, 10), list(5, 1, 0.01, FALSE, 0.05, 0.8, 2, 3e5),
  list(50, 10, 0.1, TRUE, 0.05, 0.8, 3, 200), list(1, 2, 0.3, FALSE, 0.1, 0.95, 4, 1000),
  list(-20, 5, 0.1, TRUE, 0.05, 0.8, 2, 700), list(3, 1, 2.5, FALSE, 0.05, 0.8, 2, 4),
  list(2, 1, 0.05, FALSE, 0.05, 0.5, 2, 2000), list(7, 2, 0.4, FALSE, 0.2, 0.8, 2, 3)
)
for (i in seq_along(mean_power)) {
  s <- mean_power[[i]]
  base <- s[[1]]; sd <- s[[2]]; delta <- if (s[[4]]) s[[3]] * abs(base) else s[[3]]; a <- s[[5]] / (s[[7]] - 1)
  n <- power.t.test(delta = delta, sd = sd, sig.level = a, power = s[[6]], tol = tol)$n
  pw <- power.t.test(n = s[[8]], delta = delta, sd = sd, sig.level = a)$power
  d <- power.t.test(n = s[[8]], sd = sd, sig.level = a, power = s[[6]], tol = tol)$delta
  mde <- if (s[[4]]) d / abs(base) else d
  power_cases[[length(power_cases) + 1]] <- list(
    name = sprintf("mean-%02d", i), kind = "mean", baseline = base, sd = sd, mde = s[[3]], relative = s[[4]],
    alpha = s[[5]], power = s[[6]], arms = s[[7]], n_at = s[[8]], n = n, power_at = pw, mde_at = mde)
}
write_json(power_cases, "power.json")

# -------------------------------------------------------- noncentral t tail
nct_cases <- list()
for (nu in c(2, 3.5, 7, 18, 50, 199, 1000, 12345, 1e5, 3.9e5)) {
  for (ncp in c(0, 0.5, 2.8, 6, 15)) {
    for (q in c(-1, 1.3, 1.96, 2.6, 4)) {
      # R warns "full precision may not have been achieved" for a few upper
      # tails next to 1; those are still within 1e-10 (the Go test's
      # tolerance against R; the mpmath values in noncentral_t_mpmath.json,
      # from generate_reference.py, are checked much tighter).
      upper <- suppressWarnings(pt(q, nu, ncp, lower.tail = FALSE))
      nct_cases[[length(nct_cases) + 1]] <- list(q = q, df = nu, ncp = ncp, upper = upper)
    }
  }
}
write_json(nct_cases, "noncentral_t.json")

# ------------------------------------------- Student t at small and large df
# Welch df of large experiments reach millions, where the Go code switches to
# asymptotic expansions; check both sides of the switch against R.
t_cases <- list()
for (df in c(1.5, 2, 4.7, 30, 1234.5, 9.99e3, 1.001e4, 1e5, 3.99e5, 4.01e5, 1e6, 1e7, 1e9, 1e12)) {
  for (q in c(0.05, 0.025, 0.005, 5e-4, 1e-6)) {
    t_cases[[length(t_cases) + 1]] <- list(df = df, tail = q, quantile = qt(q, df, lower.tail = FALSE),
                                           x = -2.3, lower = pt(-2.3, df))
  }
}
write_json(t_cases, "student_t.json")
