/**
 * Checkpoints and phone scanning (Xinjiang's Integrated Joint Operations Platform [HRW19]):
 * residents pass checkpoints where their identity and phones are checked, and the police
 * app flags the "network tools" and content found on a scanned phone. A checkpoint sees a
 * share of offline acts and protest attendances (the movements that pass one); a phone scan
 * finds a share of critical posts and calls to collective action (the phones scanned).
 * Residents perceive both. Coverages are per region; detection given coverage is one rate
 * each (assumptions: the record documents the practice, not its rates).
 */
import { z } from 'zod';
import { metric, type CellView, type Mechanism } from './mechanism.js';
import { rate, share } from './units.js';

export const checkpointsParams = z
  .object({
    enabled: z.boolean().default(false),
    checkpointDetection: rate
      .default(0.5)
      .describe('probability that an act on a route through a checkpoint is traced to its author'),
    scanDetection: rate.default(0.5).describe('probability that a scanned phone gives up a critical post'),
  })
  .strict()
  .prefault({});

export const checkpointsRegion = {
  checkpointCoverage: share.default(0).describe('share of residents’ movements that pass a checkpoint'),
  phoneScanCoverage: share.default(0).describe('share of residents whose phones are scanned in the days after a post'),
};

const checkpoint = (c: CellView): number =>
  c.p.checkpoints.enabled ? c.region.checkpointCoverage * c.p.checkpoints.checkpointDetection : 0;
const scan = (c: CellView): number =>
  c.p.checkpoints.enabled ? c.region.phoneScanCoverage * c.p.checkpoints.scanDetection : 0;

export const checkpoints: Mechanism = {
  key: 'checkpoints',
  title: 'checkpoints on residents’ movements and scans of their phones',
  role: { changes: 'acts and posts traced at checkpoints and in phones feed arrests and records, and deter' },
  enabled: (p) => p.checkpoints.enabled,
  metrics: [
    metric('detected_checkpoint', 'flow', 'surveillance', 'acts traced at checkpoints'),
    metric('detected_phonescan', 'flow', 'surveillance', 'critical posts found on scanned phones'),
  ],
  channels: [
    { name: 'checkpoint', protest: checkpoint, offline: checkpoint, perceived: true },
    { name: 'phonescan', post: scan, call: scan, perceived: true },
  ],
};
