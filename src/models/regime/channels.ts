/**
 * What a cell's surveillance can see today: the detection probability of each channel
 * for an offline act, a protest attendance and a critical post. Residents perceive these
 * same probabilities (perceived surveillance = deployed surveillance), which is what the
 * deterrence and chilling responses act on.
 */
import { cameraDetection } from './cameras.js';
import { gridDetection, observerDetection } from './grid.js';
import { informantDetection } from './informants.js';
import type { RegimeParams, RegionParams } from './params.js';
import { perceivedEnforcers, policeInCell } from './police.js';
import { centreDetection } from './propaganda.js';
import { postDetection } from './platform.js';
import { trackingDetection } from './tracking.js';

export class CellChannels {
  residents = 0;
  police = 0;
  enforcers = 0;
  camera = 0;
  tracking = 0;
  grid = 0;
  observer = 0;
  informant = 0;
  centre = 0;
  platform = 0;
  /** Combined surveillance (not police) detection of an offline act. */
  offline = 0;
  /** Combined surveillance detection of a protest attendance (offline channels + tracking). */
  protest = 0;

  update(
    p: RegimeParams,
    region: RegionParams,
    residents: number,
    informants: number,
    hasCentre: boolean,
    observersPerCell: number,
    sanctionsSeen: number,
  ): this {
    this.residents = residents;
    this.police = policeInCell(p, region, residents);
    this.enforcers = perceivedEnforcers(p, this.police, sanctionsSeen, residents);
    this.camera = cameraDetection(p, region);
    this.tracking = trackingDetection(p, region);
    this.grid = gridDetection(p, region);
    this.observer = observerDetection(p, observersPerCell);
    this.informant = informantDetection(p, informants);
    this.centre = centreDetection(p, hasCentre);
    this.platform = postDetection(p, region);
    this.offline =
      1 - (1 - this.camera) * (1 - this.grid) * (1 - this.observer) * (1 - this.informant) * (1 - this.centre);
    this.protest = 1 - (1 - this.offline) * (1 - this.tracking);
    return this;
  }
}
