/** Granovetter (1978): threshold models of collective behaviour. */
export { granovetterModel, granovetterHeadline, thresholdOf } from './model.js';
export { granovetterParams, thresholdsSchema, type GranovetterParams } from './params.js';
export { meanFieldShare, criticalSd } from './analysis.js';
