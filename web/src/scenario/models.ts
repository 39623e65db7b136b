/**
 * The models the explorer offers, by the name scenarios use: their parameter schemas only
 * (the page builds its controls from them and validates with them). The models' code runs
 * in the workers, not on the page's thread.
 */
import type { z } from 'zod';
import { epsteinParams } from '../../../src/models/epstein/params.js';
import { epstein2Params } from '../../../src/models/epstein2/params.js';
import { regimeParams } from '../../../src/models/regime/params.js';

export interface PageModel {
  readonly name: string;
  readonly label: string;
  readonly params: z.ZodType;
  /** Whether the population is synthesized from `population.agents` (chosen in the run settings). */
  readonly scalable: boolean;
}

export const pageModels: Readonly<Record<string, PageModel>> = Object.freeze({
  regime: {
    name: 'regime',
    label: 'Surveillance and social-credit regime',
    params: regimeParams,
    scalable: true,
  },
  epstein: { name: 'epstein', label: 'Epstein (2002) civil violence, Model I', params: epsteinParams, scalable: false },
  epstein2: {
    name: 'epstein2',
    label: 'Epstein (2002) inter-group violence, Model II',
    params: epstein2Params,
    scalable: false,
  },
});

export function pageModel(name: string): PageModel | undefined {
  return Object.prototype.hasOwnProperty.call(pageModels, name) ? pageModels[name] : undefined;
}
