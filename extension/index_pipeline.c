/*
 * index_pipeline.c
 *		The composite (IMD-style) index pipeline: read a table of areas with
 *		domain columns once through SPI, apply a specification given as jsonb
 *		(directions, transforms, weights, rank scaling, tie method, minimum
 *		share of domains, imputation by parent area) and return per area the
 *		transformed domain scores, the index score, its rank and decile.
 *
 * The preparation (dep_index_prepare) is shared with sensitivity.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "deprivation.h"
#include "spi_util.h"

/* Keys accepted at the top level of a specification, and in a domain. */
static const char *const spec_top_keys[] = {
	"domains", "rank_scaling", "ties", "combine", "min_share", "parent",
	"name", "description", NULL
};
static const char *const spec_domain_keys[] = {
	"column", "name", "weight", "direction", "transform", "indicators", "combine", NULL
};
static const char *const spec_indicator_keys[] = {
	"column", "weight", "direction", "transform", NULL
};

/*
 * A domain of the specification: either one source column, or several
 * indicator columns that are normalised and averaged into the domain value.
 */
typedef struct SpecDomain
{
	int			n_cols;			/* source columns: 1, or the number of indicators */
	bool		has_indicators;
	char	  **cols;			/* column names */
	double	   *ind_weights;	/* indicator weights, normalised (indicators only) */
	bool	   *ind_hiw;		/* indicator directions */
	DepTransform *ind_tr;		/* indicator transforms */
	DepCombine	ind_combine;	/* how the indicators are averaged */
	int			first;			/* position of the first column among the value columns */
} SpecDomain;

/* ---------- jsonb helpers ---------- */

/* Raise an error about the specification with a hint. */
static void
spec_error(const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid index specification: %s", msg),
			 errhint("%s", hint)));
}

/* Refuse keys of an object that are not in allowed (catches typos such as "wieght"). */
static void
spec_check_keys(JsonbContainer *obj, const char *const *allowed, const char *where)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		ok = false;
		char	   *k;

		if (tok != WJB_KEY)
			continue;
		k = pnstrdup(v.val.string.val, v.val.string.len);
		for (int i = 0; allowed[i]; i++)
			if (strcmp(k, allowed[i]) == 0)
				ok = true;
		if (!ok)
		{
			StringInfoData hint;

			initStringInfo(&hint);
			appendStringInfoString(&hint, "Known keys are:");
			for (int i = 0; allowed[i]; i++)
				appendStringInfo(&hint, "%s %s", i ? "," : "", allowed[i]);
			appendStringInfoChar(&hint, '.');
			spec_error(psprintf("unknown key \"%s\" in %s", k, where), hint.data);
		}
	}
}

/* A string member of obj, or dflt when absent; error when of another type. */
static char *
spec_string(JsonbContainer *obj, const char *key, const char *dflt, const char *where)
{
	JsonbValue	v;

	if (!getKeyJsonValueFromContainer(obj, key, strlen(key), &v) || v.type == jbvNull)
		return dflt ? pstrdup(dflt) : NULL;
	if (v.type != jbvString)
		spec_error(psprintf("\"%s\" in %s must be a string", key, where),
				   "Write the value in double quotes.");
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* A numeric member of obj, or dflt when absent (has_dflt false: required). */
static double
spec_number(JsonbContainer *obj, const char *key, bool has_dflt, double dflt, const char *where)
{
	JsonbValue	v;

	if (!getKeyJsonValueFromContainer(obj, key, strlen(key), &v) || v.type == jbvNull)
	{
		if (!has_dflt)
			spec_error(psprintf("%s has no \"%s\"", where, key),
					   psprintf("Add \"%s\": <number> to %s.", key, where));
		return dflt;
	}
	if (v.type != jbvNumeric)
		spec_error(psprintf("\"%s\" in %s must be a number", key, where),
				   "Write the number without quotes, for example 0.225.");
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
}

/* ---------- reading the table ---------- */

/* Attribute check: the named column must exist in the source table. */
static void
check_column(Oid relid, const char *col, const char *role)
{
	AttrNumber	att = get_attnum(relid, col);

	if (att == InvalidAttrNumber || att < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" (%s) does not exist in table %s", col, role, get_rel_name(relid)),
				 errhint("Name a column of the source table (names are case-sensitive).")));
}

/* Order area indexes by their parent code (arg: the parent codes). */
static int
cmp_parent_idx(const void *a, const void *b, void *arg)
{
	char	  **parents = (char **) arg;

	return strcmp(parents[*(const int *) a], parents[*(const int *) b]);
}

/*
 * impute_by_parent
 *		Fill the missing raw values of domain dom with the mean of the present
 *		values of the areas sharing the same parent code; flag them in imputed.
 */
static void
impute_by_parent(DepIndexData *d, char **parents, int dom, bool *imputed)
{
	int			n = d->n_areas;
	int			nd = d->n_domains;
	int		   *idx = palloc(sizeof(int) * n);
	int			m = 0;

	/* areas with a parent, grouped by parent code */
	for (int i = 0; i < n; i++)
		if (parents[i])
			idx[m++] = i;
	qsort_arg(idx, m, sizeof(int), cmp_parent_idx, parents);
	for (int p = 0; p < m;)
	{
		int			q = p;
		double		sum = 0.0;
		int			cnt = 0;

		while (q + 1 < m && strcmp(parents[idx[q + 1]], parents[idx[p]]) == 0)
			q++;
		for (int j = p; j <= q; j++)
			if (d->present[idx[j] * nd + dom])
			{
				sum += d->raw[idx[j] * nd + dom];
				cnt++;
			}
		if (cnt > 0)
			for (int j = p; j <= q; j++)
				if (!d->present[idx[j] * nd + dom])
				{
					d->raw[idx[j] * nd + dom] = sum / cnt;
					d->present[idx[j] * nd + dom] = true;
					imputed[idx[j] * nd + dom] = true;
				}
		p = q + 1;
	}
	pfree(idx);
}

/* Compare two C strings through pointers, for the duplicate-key check. */
static int
cmp_cstring_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Refuse NULL and duplicate area keys. */
static void
check_keys_unique(char **keys, int n, const char *keycol)
{
	char	  **sorted = palloc(sizeof(char *) * n);

	memcpy(sorted, keys, sizeof(char *) * n);
	qsort(sorted, n, sizeof(char *), cmp_cstring_ptr);
	for (int i = 1; i < n; i++)
		if (strcmp(sorted[i - 1], sorted[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("duplicate area key \"%s\" in column \"%s\"", sorted[i], keycol),
					 errhint("Each area must appear once; aggregate or filter the source table first.")));
	pfree(sorted);
}

/*
 * parse_indicators
 *		Parse the "indicators" array of a domain: column, weight, direction
 *		(default higher_is_worse) and transform (default zscore) of each.
 */
static void
parse_indicators(SpecDomain *sd, JsonbContainer *dom, JsonbValue *iv, const char *where)
{
	JsonbContainer *arr;

	if (iv->type != jbvBinary || !JsonContainerIsArray(iv->val.binary.data) ||
		JsonContainerSize(iv->val.binary.data) == 0)
		spec_error(psprintf("\"indicators\" of %s must be a non-empty array", where),
				   "List them as \"indicators\": [{\"column\": \"benefits\", \"weight\": 0.5}, ...].");
	{
		JsonbValue	cv;

		if (getKeyJsonValueFromContainer(dom, "column", 6, &cv))
			spec_error(psprintf("%s has both \"column\" and \"indicators\"", where),
					   "Give a domain either one column or a list of indicators.");
	}
	arr = iv->val.binary.data;
	sd->has_indicators = true;
	sd->n_cols = JsonContainerSize(arr);
	sd->cols = palloc(sizeof(char *) * sd->n_cols);
	sd->ind_weights = palloc(sizeof(double) * sd->n_cols);
	sd->ind_hiw = palloc(sizeof(bool) * sd->n_cols);
	sd->ind_tr = palloc(sizeof(DepTransform) * sd->n_cols);
	sd->ind_combine = dep_parse_combine(spec_string(dom, "combine", "arithmetic", where));
	for (int k = 0; k < sd->n_cols; k++)
	{
		JsonbValue *ev = getIthJsonbValueFromContainer(arr, k);
		JsonbContainer *ind;
		char	   *iwhere = psprintf("indicator %d of %s", k + 1, where);

		if (ev->type != jbvBinary || !JsonContainerIsObject(ev->val.binary.data))
			spec_error(psprintf("%s is not an object", iwhere),
					   "Write each indicator as {\"column\": \"benefits\", \"weight\": 0.5}.");
		ind = ev->val.binary.data;
		spec_check_keys(ind, spec_indicator_keys, iwhere);
		sd->cols[k] = spec_string(ind, "column", NULL, iwhere);
		if (sd->cols[k] == NULL)
			spec_error(psprintf("%s has no \"column\"", iwhere),
					   "Name the source column holding the indicator.");
		sd->ind_weights[k] = spec_number(ind, "weight", true, 1.0, iwhere);
		sd->ind_hiw[k] = dep_parse_direction(spec_string(ind, "direction", "higher_is_worse", iwhere));
		sd->ind_tr[k] = dep_parse_transform(spec_string(ind, "transform", "zscore", iwhere));
		if (sd->ind_tr[k] == DEP_TR_RANK)
			spec_error(psprintf("%s uses transform \"rank\", whose score is lower for more deprived areas", iwhere),
					   "Use \"zscore\", \"scaled_rank\", \"percentile\" or another transform.");
	}
	dep_normalise_weights(sd->ind_weights, sd->n_cols, psprintf("the indicators of %s", where));
}

/*
 * domain_raw_values
 *		Fill column j of d->raw/d->present: the domain's own column, or the
 *		weighted mean (arithmetic or geometric) of its normalised indicators
 *		over those present for the area (missing when none is).
 */
static void
domain_raw_values(DepIndexData *d, SpecDomain *sd, int j, const double *vals,
				  const bool *vpresent, int ncols)
{
	int			n = d->n_areas;
	int			nd = d->n_domains;
	double	   *x = palloc(sizeof(double) * n);
	bool	   *isnull = palloc(sizeof(bool) * n);
	double	   *norm = palloc(sizeof(double) * n * sd->n_cols);

	if (!sd->has_indicators)
	{
		for (int i = 0; i < n; i++)
		{
			d->present[i * nd + j] = vpresent[i * ncols + sd->first];
			d->raw[i * nd + j] = vals[i * ncols + sd->first];
		}
		return;
	}
	/* normalise each indicator over the areas that have it */
	for (int k = 0; k < sd->n_cols; k++)
	{
		for (int i = 0; i < n; i++)
		{
			x[i] = vals[i * ncols + sd->first + k];
			isnull[i] = !vpresent[i * ncols + sd->first + k];
		}
		dep_normalise(x, isnull, n, sd->ind_tr[k], sd->ind_hiw[k], d->ties, d->scaling,
					  psprintf("indicator \"%s\" of domain \"%s\"", sd->cols[k], d->domain_names[j]),
					  norm + (size_t) k * n);
	}
	/* average them per area, weights renormalised over the present ones */
	for (int i = 0; i < n; i++)
	{
		double		acc = 0.0,
					wsum = 0.0;

		for (int k = 0; k < sd->n_cols; k++)
		{
			double		v = norm[(size_t) k * n + i];

			if (isnan(v))
				continue;
			if (sd->ind_combine == DEP_COMBINE_GEOMETRIC)
			{
				if (!(v > 0.0))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("indicator \"%s\" of area \"%s\" has score %g, but the geometric mean needs positive scores",
									sd->cols[k], d->keys[i], v),
							 errhint("Use a transform with positive scores (scaled_rank or exponential, with rank_scaling n_plus_1) or \"combine\": \"arithmetic\".")));
				acc += sd->ind_weights[k] * log(v);
			}
			else
				acc += sd->ind_weights[k] * v;
			wsum += sd->ind_weights[k];
		}
		d->present[i * nd + j] = wsum > 0.0;
		d->raw[i * nd + j] = wsum > 0.0 ? (sd->ind_combine == DEP_COMBINE_GEOMETRIC ? exp(acc / wsum) : acc / wsum) : 0.0;
	}
	pfree(x);
	pfree(isnull);
	pfree(norm);
}

/*
 * dep_index_prepare
 *		Parse the specification, read the source table once and compute the
 *		transformed domain scores of every area.
 */
DepIndexData *
dep_index_prepare(Oid relid, Jsonb *spec, const char *key)
{
	MemoryContext outer = CurrentMemoryContext;
	DepIndexData *d = palloc0(sizeof(DepIndexData));
	JsonbContainer *top = &spec->root;
	JsonbValue	dv;
	JsonbContainer *doms;
	char	   *parent_col;
	SpecDomain *sd;
	int			ncols = 0;
	double	   *vals;
	bool	   *vpresent;
	char	  **parents = NULL;
	bool	   *imputed;
	StringInfoData sql;
	int			nd;
	int			ret;
	int			spi_level;
	char	   *relname;

	/* --- the specification --- */
	if (!JsonContainerIsObject(top) || JsonContainerIsScalar(top))
		spec_error("it must be a JSON object",
				   "Write it as {\"domains\": [{\"column\": ..., \"weight\": ...}, ...]}.");
	spec_check_keys(top, spec_top_keys, "the specification");
	if (!getKeyJsonValueFromContainer(top, "domains", 7, &dv) || dv.type != jbvBinary ||
		!JsonContainerIsArray(dv.val.binary.data) || JsonContainerSize(dv.val.binary.data) == 0)
		spec_error("\"domains\" must be a non-empty array",
				   "List the domains as \"domains\": [{\"column\": \"income\", \"weight\": 0.5}, ...].");
	doms = dv.val.binary.data;
	nd = JsonContainerSize(doms);
	d->n_domains = nd;
	d->domain_names = palloc(sizeof(char *) * nd);
	d->weights = palloc(sizeof(double) * nd);
	d->transforms = palloc(sizeof(DepTransform) * nd);
	d->higher_is_worse = palloc(sizeof(bool) * nd);
	sd = palloc0(sizeof(SpecDomain) * nd);
	d->ties = dep_parse_ties(spec_string(top, "ties", "average", "the specification"));
	d->scaling = dep_parse_scaling(spec_string(top, "rank_scaling", "n_plus_1", "the specification"));
	d->combine = dep_parse_combine(spec_string(top, "combine", "arithmetic", "the specification"));
	d->min_share = spec_number(top, "min_share", true, 1.0, "the specification");
	if (!(d->min_share >= 0.0 && d->min_share <= 1.0))
		spec_error(psprintf("\"min_share\" must be between 0 and 1, got %g", d->min_share),
				   "Use 1 to require every domain, 0.5 to require half of them.");
	parent_col = spec_string(top, "parent", NULL, "the specification");

	for (int j = 0; j < nd; j++)
	{
		JsonbValue *ev = getIthJsonbValueFromContainer(doms, j);
		JsonbContainer *dom;
		char	   *where = psprintf("domain %d", j + 1);

		if (ev->type != jbvBinary || !JsonContainerIsObject(ev->val.binary.data))
			spec_error(psprintf("%s is not an object", where),
					   "Write each domain as {\"column\": \"income\", \"weight\": 0.225}.");
		dom = ev->val.binary.data;
		spec_check_keys(dom, spec_domain_keys, where);
		if (getKeyJsonValueFromContainer(dom, "indicators", 10, &dv))
			parse_indicators(&sd[j], dom, &dv, where);
		else
		{
			if (getKeyJsonValueFromContainer(dom, "combine", 7, &dv))
				spec_error(psprintf("%s has \"combine\" but no \"indicators\"", where),
						   "\"combine\" in a domain says how its indicators are averaged; remove it or add \"indicators\".");
			sd[j].n_cols = 1;
			sd[j].cols = palloc(sizeof(char *));
			sd[j].cols[0] = spec_string(dom, "column", NULL, where);
			if (sd[j].cols[0] == NULL)
				spec_error(psprintf("%s has no \"column\" and no \"indicators\"", where),
						   "Name the source column holding the domain, for example \"column\": \"income_rank\", or list its indicators.");
		}
		sd[j].first = ncols;
		ncols += sd[j].n_cols;
		d->domain_names[j] = spec_string(dom, "name", sd[j].has_indicators ? psprintf("domain %d", j + 1) : sd[j].cols[0], where);
		d->weights[j] = spec_number(dom, "weight", false, 0.0, where);
		d->higher_is_worse[j] = dep_parse_direction(spec_string(dom, "direction", "higher_is_worse", where));
		if (sd[j].has_indicators && !d->higher_is_worse[j])
			spec_error(psprintf("%s has indicators and \"direction\": \"higher_is_better\"", where),
					   "A domain built from indicators is always higher = more deprived; set the direction of each indicator instead.");
		d->transforms[j] = dep_parse_transform(spec_string(dom, "transform", "exponential", where));
		if (d->transforms[j] == DEP_TR_RANK)
			spec_error(psprintf("%s uses transform \"rank\", whose score is lower for more deprived areas", where),
					   "Use \"scaled_rank\", \"percentile\" or \"exponential\" in an index.");
	}
	d->weight_sum = dep_normalise_weights(d->weights, nd, "the index specification");

	/* --- read the table once --- */
	relname = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
	check_column(relid, key, "area key");
	if (parent_col)
		check_column(relid, parent_col, "parent area");
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s::text, %s", quote_identifier(key),
					 parent_col ? psprintf("%s::text", quote_identifier(parent_col)) : "NULL::text");
	for (int j = 0; j < nd; j++)
		for (int k = 0; k < sd[j].n_cols; k++)
		{
			check_column(relid, sd[j].cols[k], psprintf("domain \"%s\"", d->domain_names[j]));
			appendStringInfo(&sql, ", %s::float8", quote_identifier(sd[j].cols[k]));
		}
	appendStringInfo(&sql, " FROM %s", relname);

	spi_level = bm_spi_connect();
	ret = SPI_execute(sql.data, true, 0);
	if (ret != SPI_OK_SELECT)
		/* internal: a SELECT either runs or raises its own error */
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("no areas: table %s is empty", relname),
				 errhint("Load the areas first, or check the table name.")));
	if (SPI_processed > (uint64) (MaxAllocSize / sizeof(double) / Max(nd, ncols)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many areas: " UINT64_FORMAT, SPI_processed),
				 errhint("Split the table into smaller sets of areas.")));

	{
		MemoryContext spicxt = MemoryContextSwitchTo(outer);
		int			n = (int) SPI_processed;
		TupleDesc	td = SPI_tuptable->tupdesc;
		Datum	   *dvals = palloc(sizeof(Datum) * (ncols + 2));
		bool	   *isnull = palloc(sizeof(bool) * (ncols + 2));

		d->n_areas = n;
		d->keys = palloc(sizeof(char *) * n);
		d->raw = palloc(sizeof(double) * n * nd);
		d->present = palloc(sizeof(bool) * n * nd);
		vals = palloc(sizeof(double) * n * ncols);
		vpresent = palloc(sizeof(bool) * n * ncols);
		if (parent_col)
			parents = palloc0(sizeof(char *) * n);

		for (int i = 0; i < n; i++)
		{
			/* deform each row once: the text key makes per-column access slow */
			heap_deform_tuple(SPI_tuptable->vals[i], td, dvals, isnull);
			if (isnull[0])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("area key column \"%s\" has a NULL", key),
						 errhint("Give every area a key, or filter the NULLs out first.")));
			d->keys[i] = TextDatumGetCString(dvals[0]);
			if (parent_col)
				parents[i] = isnull[1] ? NULL : TextDatumGetCString(dvals[1]);
			for (int c = 0; c < ncols; c++)
			{
				vpresent[i * ncols + c] = !isnull[c + 2];
				vals[i * ncols + c] = isnull[c + 2] ? 0.0 : DatumGetFloat8(dvals[c + 2]);
			}
		}
		MemoryContextSwitchTo(spicxt);
	}
	bm_spi_finish(spi_level);

	check_keys_unique(d->keys, d->n_areas, key);
	for (int j = 0; j < nd; j++)
		domain_raw_values(d, &sd[j], j, vals, vpresent, ncols);

	/* --- missing data: all-NULL domains, imputation, minimum share --- */
	imputed = palloc0(sizeof(bool) * d->n_areas * nd);
	for (int j = 0; j < nd; j++)
	{
		bool		any = false;

		for (int i = 0; i < d->n_areas && !any; i++)
			any = d->present[i * nd + j];
		if (!any)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("domain \"%s\" has no values: %s NULL for every area",
							d->domain_names[j], sd[j].has_indicators ? "its indicators are" :
							psprintf("column \"%s\" is", sd[j].cols[0])),
					 errhint("Remove the domain from the specification or load its values.")));
		if (parents)
			impute_by_parent(d, parents, j, imputed);
	}
	d->scored = palloc(sizeof(bool) * d->n_areas);
	d->reasons = palloc0(sizeof(char *) * d->n_areas);
	for (int i = 0; i < d->n_areas; i++)
	{
		int			have = 0;
		StringInfoData missing,
					imp;

		initStringInfo(&missing);
		initStringInfo(&imp);
		for (int j = 0; j < nd; j++)
		{
			if (d->present[i * nd + j])
				have++;
			else
				appendStringInfo(&missing, "%s%s", missing.len ? ", " : "", d->domain_names[j]);
			if (imputed[i * nd + j])
				appendStringInfo(&imp, "%s%s", imp.len ? ", " : "", d->domain_names[j]);
		}
		/* the small tolerance keeps e.g. 6/7 >= 0.857142857 from failing on rounding */
		d->scored[i] = have > 0 && (double) have / nd >= d->min_share - 1e-12;
		if (!d->scored[i])
			d->reasons[i] = psprintf("%d of %d domains present, below min_share %g; missing: %s",
									 have, nd, d->min_share, missing.data);
		else if (imp.len && missing.len)
			d->reasons[i] = psprintf("imputed from parent area: %s; missing: %s", imp.data, missing.data);
		else if (imp.len)
			d->reasons[i] = psprintf("imputed from parent area: %s", imp.data);
		else if (missing.len)
			d->reasons[i] = psprintf("missing: %s; weights renormalised over the other domains", missing.data);
	}

	d->scores = palloc(sizeof(double) * d->n_areas * nd);
	dep_index_transform(d, d->transforms, d->scores);
	return d;
}

/*
 * dep_index_transform
 *		Transform every domain with tr[j] into out (n_areas x n_domains, NaN
 *		where missing).
 */
void
dep_index_transform(DepIndexData *d, const DepTransform *tr, double *out)
{
	int			n = d->n_areas;
	int			nd = d->n_domains;
	double	   *x = palloc(sizeof(double) * n);
	bool	   *isnull = palloc(sizeof(bool) * n);
	double	   *col = palloc(sizeof(double) * n);

	for (int j = 0; j < nd; j++)
	{
		char	   *what = psprintf("domain \"%s\"", d->domain_names[j]);

		for (int i = 0; i < n; i++)
		{
			x[i] = d->raw[i * nd + j];
			isnull[i] = !d->present[i * nd + j];
		}
		dep_normalise(x, isnull, n, tr[j], d->higher_is_worse[j], d->ties, d->scaling, what, col);
		for (int i = 0; i < n; i++)
			out[i * nd + j] = col[i];
		pfree(what);
	}
	pfree(x);
	pfree(isnull);
	pfree(col);
}

/*
 * dep_index_combine
 *		Index score of every scored area: the weighted mean of its present
 *		domain scores (weights renormalised over them); NaN for unscored areas.
 */
void
dep_index_combine(const DepIndexData *d, const double *scores, const double *weights, double *index_out)
{
	int			nd = d->n_domains;

	for (int i = 0; i < d->n_areas; i++)
	{
		const double *s = scores + (size_t) i * nd;
		double		acc = 0.0,
					wsum = 0.0;

		if (!d->scored[i])
		{
			index_out[i] = get_float8_nan();
			continue;
		}
		for (int j = 0; j < nd; j++)
		{
			if (isnan(s[j]))
				continue;
			if (d->combine == DEP_COMBINE_GEOMETRIC)
			{
				if (!(s[j] > 0.0))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("domain \"%s\" of area \"%s\" has score %g, but the geometric mean needs positive scores",
									d->domain_names[j], d->keys[i], s[j]),
							 errhint("Use a transform with positive scores (scaled_rank or exponential, with rank_scaling n_plus_1) or \"combine\": \"arithmetic\".")));
				acc += weights[j] * log(s[j]);
			}
			else
				acc += weights[j] * s[j];
			wsum += weights[j];
		}
		if (wsum <= 0.0)
			index_out[i] = get_float8_nan();
		else if (d->combine == DEP_COMBINE_GEOMETRIC)
			index_out[i] = exp(acc / wsum);
		else
			index_out[i] = acc / wsum;
	}
}

/* Build a float8[] from doubles; NaN becomes NULL. */
static Datum
doubles_to_array_datum(const double *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * n);
	bool	   *nulls = palloc(sizeof(bool) * n);
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = isnan(v[i]);
		d[i] = Float8GetDatum(nulls[i] ? 0.0 : v[i]);
	}
	return PointerGetDatum(construct_md_array(d, nulls, 1, dims, lbs, FLOAT8OID, 8,
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(bm_composite_index);
/*
 * composite_index(source regclass, spec jsonb, key text)
 *		One row per area: key, domain scores (in spec order), index score,
 *		rank (1 = most deprived, equal scores share the smallest rank),
 *		decile ceil(10 rank / N) and a reason for a NULL score or imputation.
 */
Datum
bm_composite_index(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	Jsonb	   *spec = PG_GETARG_JSONB_P(1);
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(2));
	DepIndexData *d;
	double	   *index;
	int64	   *rank;
	int		   *order;
	int64		nscored = 0;
	int			nd;

	InitMaterializedSRF(fcinfo, 0);
	d = dep_index_prepare(relid, spec, key);
	nd = d->n_domains;
	if (fabs(d->weight_sum - 1.0) > 1e-9)
		ereport(NOTICE,
				(errmsg("index weights sum to %g, not 1; they were divided by %g",
						d->weight_sum, d->weight_sum)));

	index = palloc(sizeof(double) * d->n_areas);
	rank = palloc(sizeof(int64) * d->n_areas);
	order = palloc(sizeof(int) * d->n_areas);
	dep_index_combine(d, d->scores, d->weights, index);
	for (int i = 0; i < d->n_areas; i++)
		if (d->scored[i] && isnan(index[i]))
			d->scored[i] = false;
	dep_rank_scores(index, d->scored, d->n_areas, true, rank, order);
	for (int i = 0; i < d->n_areas; i++)
		nscored += d->scored[i] ? 1 : 0;

	for (int i = 0; i < d->n_areas; i++)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = CStringGetTextDatum(d->keys[i]);
		values[1] = doubles_to_array_datum(d->scores + (size_t) i * nd, nd);
		if (d->scored[i])
		{
			values[2] = Float8GetDatum(index[i]);
			values[3] = Int64GetDatum(rank[i]);
			/* decile = ceil(10 rank / N) in integers */
			values[4] = Int32GetDatum((int32) ((10 * rank[i] + nscored - 1) / nscored));
		}
		else
			nulls[2] = nulls[3] = nulls[4] = true;
		if (d->reasons[i])
			values[5] = CStringGetTextDatum(d->reasons[i]);
		else
			nulls[5] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}
