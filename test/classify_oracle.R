# Oracle for test/classify_oracle.sh: R classInt on the values written by the test.
# Args: values.csv (case_, area_code, value) cases.csv (case_, method, classes) out_members.csv out_breaks.csv
# For every case and method: classIntervals(style = method, largeN = Inf (exact fisher),
# intervalClosure = "right") and findCols -> the class of each area; the breaks (fisher: the
# class maxima, classInt's pars[, "max"]; box: -Inf/Inf replaced by the fence, as documented).
suppressPackageStartupMessages(library(classInt))
a <- commandArgs(trailingOnly = TRUE)
vals <- read.csv(a[1], stringsAsFactors = FALSE)
cases <- read.csv(a[2], stringsAsFactors = FALSE)
members <- list(); brks <- list()
for (r in seq_len(nrow(cases))) {
    cs <- cases$case_[r]; m <- cases$method[r]; k <- cases$classes[r]
    d <- vals[vals$case_ == cs, ]
    if (length(unique(d$value)) <= k) next     # classInt switches to "unique" classes
    ci <- suppressWarnings(classIntervals(d$value, n = k, style = m, largeN = Inf,
                                          intervalClosure = "right"))
    cl <- findCols(ci)
    members[[r]] <- data.frame(case_ = cs, method = m, classes = k, area_code = d$area_code, class = cl)
    b <- ci$brks
    if (m == "fisher") b <- c(min(d$value), rev(attr(ci, "parameters")[, "max"]))
    if (m == "box") { if (b[1] == -Inf) b[1] <- b[2]; if (b[7] == Inf) b[7] <- b[6] }
    if (m %in% c("quantile", "headtails")) b <- unique(b)
    brks[[r]] <- data.frame(case_ = cs, method = m, classes = k, i = seq_along(b), brk = sprintf("%.17g", b))
}
write.csv(do.call(rbind, members), a[3], row.names = FALSE)
write.csv(do.call(rbind, brks), a[4], row.names = FALSE)
