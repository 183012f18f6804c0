/*
 * significance.h
 *		Test statistics shared by significance.c and development.c.
 */
#ifndef BM_SIGNIFICANCE_H
#define BM_SIGNIFICANCE_H

extern double bm_incomplete_beta(double a, double b, double x);
extern double bm_normal_p_two_sided(double z);
extern double bm_t_p_two_sided(double t, double df);
extern bool bm_proportion_z(double p1, double n1, double p2, double n2, double *z);
extern double bm_mean_statistic(double m1, double se1, double m2, double se2);
extern double bm_calc_welch_df(double se1, double n1, double se2, double n2);
extern const char *bm_calc_significance_label(double diff, double p, int polarity, double alpha);

#endif
