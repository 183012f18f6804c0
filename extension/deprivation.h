/*
 * deprivation.h
 *		Shared building blocks of the deprivation index toolkit: the inverse
 *		normal, the IMD exponential transform, ranking with ties and the
 *		set-level normalisations (deprivation.c), and the prepared index data
 *		that the pipeline (index_pipeline.c) hands to the sensitivity analysis
 *		(sensitivity.c).
 *
 * Orientation: every transformed score is "higher = more deprived"; every
 * deprivation rank has 1 = most deprived.
 */
#ifndef BUURTMONITOR_DEPRIVATION_H
#define BUURTMONITOR_DEPRIVATION_H

#include "utils/jsonb.h"

/* Tie handling when ranking. */
typedef enum DepTies
{
	DEP_TIES_AVERAGE,			/* tied values share the mean of their positions */
	DEP_TIES_MIN				/* tied values share the best (smallest) position */
} DepTies;

/* Scaling of a deprivation rank r (1 = most deprived) to (0, 1]. */
typedef enum DepScaling
{
	DEP_SCALE_N_PLUS_1,			/* R = (N + 1 - r) / N */
	DEP_SCALE_N					/* R = (N - r) / N */
} DepScaling;

/* Normalisations of one indicator over a set of areas. */
typedef enum DepTransform
{
	DEP_TR_NONE,				/* the value itself (negated if higher is better) */
	DEP_TR_ZSCORE,				/* (x - mean) / sd, sample sd */
	DEP_TR_MINMAX,				/* 0 (least deprived) .. 100 (most deprived) */
	DEP_TR_RANK,				/* deprivation rank r, 1 = most deprived */
	DEP_TR_SCALED_RANK,			/* R per DepScaling */
	DEP_TR_PERCENTILE,			/* 100 * share of less deprived areas */
	DEP_TR_NORMAL_SCORE,		/* inverse normal of (N + 0.5 - r) / N */
	DEP_TR_EXPONENTIAL			/* IMD exponential transform of R */
} DepTransform;

/* Weighted combination of domain scores. */
typedef enum DepCombine
{
	DEP_COMBINE_ARITHMETIC,
	DEP_COMBINE_GEOMETRIC
} DepCombine;

/* Scalar maths (no argument checks). */
extern double dep_inverse_normal(double p);
extern double dep_exponential(double r);

/* Option parsing; each raises a clear error for an unknown word. */
extern DepTies dep_parse_ties(const char *s);
extern DepScaling dep_parse_scaling(const char *s);
extern DepTransform dep_parse_transform(const char *s);
extern bool dep_parse_direction(const char *s);	/* true = higher is worse */
extern DepCombine dep_parse_combine(const char *s);
extern const char *dep_transform_name(DepTransform t);

/*
 * Normalise x[0..n-1] (entries with isnull[i] are skipped and come out NaN).
 * what names the indicator in error messages.
 */
extern void dep_normalise(const double *x, const bool *isnull, int n,
						  DepTransform tr, bool higher_is_worse, DepTies ties,
						  DepScaling scaling, const char *what, double *out);

/* Check weights (none negative, not all zero) and scale them to sum 1; returns the original sum. */
extern double dep_normalise_weights(double *w, int n, const char *what);

/* NOTICE that user weights (label "weights" or "index weights") summed to sum, not 1. */
extern void dep_notice_weight_sum(const char *label, double sum);

/* Power of two bringing maxabs into [0.5, 1) when it is beyond 2^+-400, else 1. */
extern double dep_scale_factor(double maxabs);

/*
 * Prepared index: the transformed domain scores of every area, computed once
 * from the source table and the specification (index_pipeline.c).
 */
typedef struct DepIndexData
{
	int			n_areas;
	int			n_domains;
	char	  **keys;			/* area keys */
	char	  **domain_names;
	double	   *weights;		/* normalised to sum 1 */
	double		weight_sum;		/* sum of the weights as given */
	DepTransform *transforms;	/* per domain, as in the spec */
	bool	   *higher_is_worse;	/* per domain */
	DepTies		ties;
	DepScaling	scaling;
	DepCombine	combine;
	double		min_share;
	double	   *raw;			/* n_areas x n_domains raw values (after imputation) */
	bool	   *present;		/* n_areas x n_domains: value present (given or imputed) */
	bool	   *scored;			/* n_areas: enough domains to get a score */
	char	  **reasons;		/* n_areas: why no score / what was imputed, or NULL */
	double	   *scores;			/* n_areas x n_domains transformed scores (NaN if missing) */
} DepIndexData;

extern DepIndexData *dep_index_prepare(Oid relid, Jsonb *spec, const char *key);
extern void dep_index_transform(DepIndexData *d, const DepTransform *tr, double *out);
extern void dep_index_combine(const DepIndexData *d, const double *scores,
							  const double *weights, double *index_out);
extern void dep_rank_scores(const double *score, const bool *scored, int n, bool min_ties,
							int64 *rank_out, int *order_buf);

#endif							/* BUURTMONITOR_DEPRIVATION_H */
