-- weighted_mean over arrays shared its name with the weighted_mean aggregate, so
-- weighted_mean('{1,2}', '{1,1}') failed as "not unique"; 0.2.0 names it weighted_arithmetic_mean.
DROP FUNCTION buurtmonitor.weighted_mean(double precision[], double precision[]);
