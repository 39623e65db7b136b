/** Ensign et al. (2018): the predictive-policing feedback loop as a Pólya urn. */
export { ensignUrnModel, ensignUrnHeadline, poisson, binomial } from './model.js';
export { ensignUrnParams, type EnsignUrnParams, MAX_RATE } from './params.js';
export { fixedPoints, longRunShare, trueShare, updateMatrix } from './analysis.js';
