/**
 * Due process: a listed resident may appeal; the decision comes after a delay and
 * succeeds with a probability that depends on whether the listing was wrongful. A
 * granted appeal removes the listing and restores the points lost to false attributions
 * (credit restoration). The listing stays in force while the appeal is pending.
 */
import type { RegimeParams } from './params.js';

export function appealSucceeds(p: RegimeParams, wrongful: boolean, u: number): boolean {
  return u < (wrongful ? p.dueProcess.successWrongful : p.dueProcess.successRightful);
}
