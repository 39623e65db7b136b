/** Daymude, Axelrod & Forrest (2025): dissent and self-censorship. */
export { dissentModel, dissentHeadline, policyOf } from './model.js';
export { dissentParams, authoritySchema, type DissentParams, type Authority } from './params.js';
export { bestAction, expectedUtility, phaseOf, type Phase } from './decision.js';
