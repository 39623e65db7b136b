/** Value kinds shared by the mechanisms' parameter blocks. */
import { z } from 'zod';

/** A share of something, in [0, 1]. */
export const share = z.number().min(0).max(1);
/** A daily probability, in [0, 1]. */
export const rate = z.number().min(0).max(1);
export const nonNegative = z.number().min(0);
/** Days a state lasts. */
export const days = (max: number) => z.number().int().min(1).max(max);
/** Points on the credit score's scale. */
export const points = z.number().int().min(-1000).max(1000);
