# Reference values for pkg/stats' Kayenta mode and robust z-scores, from R.
#
#   Rscript scripts/stats/generate_telemetry_reference.R   (from the repository root)
#
# writes pkg/stats/testdata/telemetry_r.json:
#   - kayenta: wilcox.test(canary, baseline, conf.int = TRUE, exact = FALSE,
#     correct = TRUE, conf.level = 0.98), then Kayenta's classification
#     written out here from its definition: bound = tolerance * |estimate|;
#     high when the lower end exceeds the bound and mean(canary)/mean(baseline)
#     >= 1, low when the upper end is below -bound and the ratio <= 1, else
#     pass;
#   - robust_z: median() and mad() (constant 1.4826) of the history and
#     (current - median)/mad.
# Needs only base R.

out_dir <- "pkg/stats/testdata"
if (!dir.exists(out_dir)) stop("run from the repository root: ", out_dir, " not found")

num <- function(x) {
  if (is.na(x) || is.infinite(x)) stop("non-finite value in output")
  sprintf("%.17g", x)
}
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (inherits(x, "AsIs") || (is.atomic(x) && length(x) != 1)) {
    x <- unclass(x)
    if (length(x) == 0) return("[]")
    return(paste0("[", paste(vapply(as.list(x), function(v) to_json(v, inner), ""), collapse = ", "), "]"))
  }
  if (is.list(x)) {
    if (is.null(names(x))) {
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

set.seed(20261102)

# AR(1) series around a level, like scrape points of a latency gauge.
ar1 <- function(n, phi, level, sd) level + sd * as.numeric(arima.sim(list(ar = phi), n))

kayenta_case <- function(name, canary, baseline, tolerance, direction) {
  r <- suppressWarnings(wilcox.test(canary, baseline, conf.int = TRUE, exact = FALSE,
                                    correct = TRUE, conf.level = 0.98))
  est <- unname(r$estimate)
  bound <- tolerance * abs(est)
  ratio <- mean(canary) / mean(baseline)
  class <- if (r$conf.int[1] > bound && ratio >= 1) {
    "high"
  } else if (r$conf.int[2] < -bound && ratio <= 1) {
    "low"
  } else {
    "pass"
  }
  verdict <- switch(class,
    pass = "inconclusive",
    high = if (direction == "increase") "beneficial" else "harmful",
    low = if (direction == "increase") "harmful" else "beneficial"
  )
  list(name = name, canary = I(canary), baseline = I(baseline), tolerance = tolerance,
       direction = direction, w = unname(r$statistic), p_value = r$p.value,
       estimate = est, lower = r$conf.int[1], upper = r$conf.int[2],
       mean_ratio = ratio, classification = class, verdict = verdict)
}

kayenta <- list(
  kayenta_case("latency regression", ar1(60, 0.5, 0.23, 0.01), ar1(60, 0.5, 0.20, 0.01), 0.25, "decrease"),
  kayenta_case("latency improvement", ar1(40, 0.3, 0.18, 0.01), ar1(45, 0.3, 0.20, 0.01), 0.25, "decrease"),
  kayenta_case("throughput up", ar1(50, 0.2, 110, 4), ar1(50, 0.2, 100, 4), 0.25, "increase"),
  kayenta_case("no difference", ar1(50, 0.4, 1, 0.1), ar1(50, 0.4, 1, 0.1), 0.25, "decrease"),
  kayenta_case("wide tolerance", ar1(30, 0.0, 1.05, 0.1), ar1(30, 0.0, 1.00, 0.1), 3, "decrease"),
  kayenta_case("ties", round(ar1(40, 0.5, 5, 1)), round(ar1(40, 0.5, 4, 1)), 0.25, "decrease")
)

robust_case <- function(current, history) {
  list(current = current, history = I(history), median = median(history),
       mad = mad(history), z = (current - median(history)) / mad(history))
}
robust <- list(
  robust_case(130, c(100, 104, 98, 101, 97, 180, 103)),
  robust_case(95, c(100, 104, 98, 101, 97, 102)),
  robust_case(0.031, c(0.012, 0.011, 0.013, 0.012, 0.010, 0.014, 0.012, 0.011)),
  robust_case(-3, rnorm(14, 0, 2))
)

path <- file.path(out_dir, "telemetry_r.json")
writeLines(to_json(list(kayenta = kayenta, robust_z = robust)), path)
cat("wrote", path, "\n")
