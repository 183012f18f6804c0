# R oracle for buurtmonitor.pca_weights (sql/570_pca.sql): prcomp(scale. = TRUE)
# on the synthetic table that the test builds (same 8 rows, 4 columns; area h
# has a NULL in w and is left out, as pca_weights uses complete rows only).
# Run: Rscript test/r/composite_pca.R
d <- data.frame(
  code = c("a", "b", "c", "d", "e", "f", "g", "h"),
  x = c(2.0, 4.0, 3.5, 8.0, 6.5, 1.0, 7.0, 5.0),
  y = c(30, 42, 37, 71, 60, 25, 66, 50),
  z = c(9.1, 7.7, 8.0, 3.2, 4.8, 9.9, 3.9, 6.0),
  w = c(1.0, 3.0, 0.5, 2.5, 4.0, 2.0, 1.5, NA))
cc <- d[complete.cases(d), c("x", "y", "z", "w")]
p <- prcomp(cc, scale. = TRUE)
l <- p$rotation[, 1]
if (sum(l) < 0) l <- -l            # buurtmonitor's sign convention: loadings sum positive
ev <- p$sdev^2
cat(sprintf("loading %s %.6f\n", names(l), l), sep = "")
cat(sprintf("weight %s %.6f\n", names(l), l / sum(abs(l))), sep = "")
cat(sprintf("correlation %s %.6f\n", names(l), l * p$sdev[1]), sep = "")
cat(sprintf("explained %.6f\n", ev[1] / sum(ev)))
cat(sprintf("eigenvalues %s\n", paste(sprintf("%.6f", ev), collapse = " ")))
cat(sprintf("n %d\n", nrow(cc)))
