/**
 * Parameters of the regime model: the synthetic population's aggregate description and
 * one block per mechanism (DESIGN.md §4). Every mechanism block has `enabled`, so a
 * scenario can switch it off and the model reduces toward the Epstein rule.
 *
 * Rates are per agent per day unless a name says otherwise. Defaults here are neutral
 * (a light regime); presets in scenarios/ set every number and cite its source.
 */
import { z } from 'zod';

const share = z.number().min(0).max(1);
const rate = z.number().min(0).max(1);
const nonNegative = z.number().min(0);

export const regionParams = z
  .object({
    name: z.string().min(1).max(40).describe('region label used in metric keys'),
    populationShare: z.number().gt(0).max(1).describe('share of the population living here'),
    camerasPerThousand: nonNegative.max(1000).default(0).describe('public cameras per 1,000 residents'),
    informantsPerThousand: nonNegative.max(1000).default(0).describe('registered informants per 1,000 residents'),
    platformPenetration: share
      .default(0.7)
      .describe('share of residents whose online speech runs on monitored platforms'),
    policePer100k: nonNegative.max(100_000).default(150).describe('police able to make arrests, per 100,000 residents'),
    trackingCoverage: share.default(0).describe('share of gatherings where phone / IoT tracking is deployed'),
    serviceCentreCoverage: share.default(0).describe('share of cells with a party-and-mass service centre'),
    gridWorkersPerCell: nonNegative
      .max(100)
      .default(0)
      .describe('grid workers assigned to each cell of ~1,000 residents'),
    hardshipShift: z
      .number()
      .min(-0.5)
      .max(0.5)
      .default(0)
      .describe('added to every resident’s hardship (regional deprivation)'),
  })
  .strict();

export const groupParams = z
  .object({
    name: z.string().min(1).max(40).describe('group label used in metric keys'),
    share: z.number().gt(0).max(1).describe('share of households belonging to this group'),
    hardshipShift: z.number().min(-0.5).max(0.5).default(0).describe('added to hardship of members'),
    recognitionErrorMultiplier: nonNegative
      .max(100)
      .default(1)
      .describe('face-recognition false-match rate relative to the base rate'),
    targeted: z.boolean().default(false).describe('weighted by predictive policing bias'),
    gigWorkerShare: share
      .default(0)
      .describe('share of adult members working in delivery / ride-hailing (new employment forms)'),
  })
  .strict();

export const regimeParams = z
  .object({
    population: z
      .object({
        agents: z.number().int().min(100).max(2_000_000_000).default(100_000).describe('number of synthetic residents'),
        cellSize: z
          .number()
          .int()
          .min(10)
          .max(100_000)
          .default(1000)
          .describe('residents per grid cell (the grid-management unit)'),
        householdSizes: z
          .array(share)
          .min(1)
          .max(8)
          .default([0.15, 0.3, 0.25, 0.2, 0.07, 0.03])
          .describe('probability of a household of 1, 2, … members (sums to 1)'),
        childShare: share.default(0.2).describe('share of residents in households of 2+ who are school-age children'),
        regions: z.array(regionParams).min(1).max(64).describe('regions; population shares sum to 1'),
        groups: z
          .array(groupParams)
          .min(1)
          .max(16)
          .describe('groups; shares sum to 1; the first is the reference (majority) group'),
      })
      .strict(),
    behaviour: z
      .object({
        initialLegitimacy: share.default(0.8).describe('mean perceived legitimacy at tick 0'),
        legitimacySpread: share.default(0.1).describe('half-width of the uniform spread of initial legitimacy'),
        threshold: share.default(0.1).describe('Epstein activation threshold T'),
        arrestConstant: nonNegative.max(20).default(2.3).describe('Epstein k in P = 1 − exp(−k·C/A)'),
        infractionRate: rate.default(0.002).describe('daily probability of a minor infraction (before deterrence)'),
        defaultRate: rate
          .default(0.0002)
          .describe('daily probability that an agent with full hardship defaults on a debt'),
        repaymentRate: rate.default(0.01).describe('daily probability that a defaulter repays'),
        civicRate: rate
          .default(0.001)
          .describe('daily probability of a recorded civic contribution (volunteering, donation)'),
        criticismRate: rate
          .default(0.02)
          .describe('daily probability of wanting to post criticism, per unit grievance'),
      })
      .strict()
      .prefault({}),
    police: z
      .object({
        enabled: z.boolean().default(true),
        arrestProbability: rate
          .default(0.5)
          .describe('probability a detected protester is arrested, capacity permitting'),
        detentionDays: z.number().int().min(1).max(3650).default(15).describe('days of detention after arrest'),
        arrestsPerOfficerPerDay: nonNegative.max(100).default(0.2).describe('arrest capacity per officer per day'),
        visibility: nonNegative
          .max(100)
          .default(1)
          .describe('effective enforcers perceived per police officer per cell'),
      })
      .strict()
      .prefault({}),
    grid: z
      .object({
        enabled: z.boolean().default(false),
        detectionPerWorker: rate
          .default(0.05)
          .describe('probability one grid worker notices a given offline act in the cell'),
        gigRecruitmentRate: share.default(0).describe('share of gig workers recruited as mobile observers'),
        detectionPerObserver: rate
          .default(0.005)
          .describe('probability one gig observer notices a given offline act in a cell it passes'),
        cellsPerObserver: z.number().int().min(1).max(1000).default(5).describe('cells a mobile observer covers'),
      })
      .strict()
      .prefault({}),
    informants: z
      .object({
        enabled: z.boolean().default(false),
        reportRate: rate.default(0.2).describe('probability an informant reports an act it witnesses'),
        witnessRate: rate.default(0.02).describe('probability an informant witnesses a given act in its cell'),
        falseReportRate: rate
          .default(0.0005)
          .describe('daily probability an informant files a report on an innocent neighbour'),
        maliciousShare: share
          .default(0.3)
          .describe('share of false reports that are malicious (targeted), the rest mistaken'),
        reportReward: z
          .number()
          .int()
          .min(0)
          .max(100)
          .default(1)
          .describe('score points an informant earns per report'),
      })
      .strict()
      .prefault({}),
    cameras: z
      .object({
        enabled: z.boolean().default(false),
        coveragePerCamera: nonNegative
          .max(1)
          .default(0.004)
          .describe('share of public space one camera per 1,000 residents covers'),
        recognitionAccuracy: rate.default(0.9).describe('probability a covered face is recognised'),
        falseMatchRate: rate
          .default(0.0001)
          .describe('daily probability an innocent person in covered space is falsely matched to a recorded act'),
      })
      .strict()
      .prefault({}),
    tracking: z
      .object({
        enabled: z.boolean().default(false),
        detectionRate: rate.default(0.9).describe('probability a tracked gathering reveals each attendee'),
      })
      .strict()
      .prefault({}),
    platform: z
      .object({
        enabled: z.boolean().default(false),
        detectionRate: rate.default(0.3).describe('probability a critical post on a monitored platform is detected'),
        strikesToClose: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(3)
          .describe('detected posts before the account is closed'),
        reRegistrationBarred: z.boolean().default(true).describe('a closed account cannot be replaced'),
      })
      .strict()
      .prefault({}),
    records: z
      .object({
        enabled: z.boolean().default(false),
        recordingRate: rate.default(0.9).describe('probability a default reaches the integrated records'),
        judgmentDelay: z
          .number()
          .int()
          .min(0)
          .max(3650)
          .default(30)
          .describe('days from an unpaid recorded default to a court judgment'),
      })
      .strict()
      .prefault({}),
    score: z
      .object({
        enabled: z.boolean().default(false),
        base: z.number().int().min(0).max(30000).default(1000).describe('starting points'),
        infraction: z.number().int().min(-1000).max(1000).default(-5).describe('points per recorded minor infraction'),
        protest: z.number().int().min(-1000).max(1000).default(-50).describe('points per recorded protest'),
        post: z.number().int().min(-1000).max(1000).default(-10).describe('points per detected critical post'),
        default: z.number().int().min(-1000).max(1000).default(-50).describe('points per recorded default'),
        judgment: z.number().int().min(-1000).max(1000).default(-100).describe('points per court judgment'),
        civic: z.number().int().min(-1000).max(1000).default(5).describe('points per recorded civic contribution'),
        restorationPerDay: nonNegative
          .max(100)
          .default(0.05)
          .describe('points per day a below-base score recovers toward base'),
        bands: z
          .array(z.object({ grade: z.string().min(1).max(8), min: z.number().int() }).strict())
          .min(1)
          .max(12)
          .default([
            { grade: 'A', min: 960 },
            { grade: 'B', min: 850 },
            { grade: 'C', min: 600 },
            { grade: 'D', min: -32768 },
          ])
          .describe('grade bands, highest first: a score ≥ min gets the grade'),
      })
      .strict()
      .prefault({}),
    lists: z
      .object({
        enabled: z.boolean().default(false),
        blacklistOnJudgment: z
          .boolean()
          .default(true)
          .describe('a court judgment puts the debtor on the defaulter blacklist'),
        blacklistBelowScore: z
          .number()
          .int()
          .min(-32768)
          .max(32767)
          .default(-32768)
          .describe('a score below this puts the agent on the blacklist'),
        redlistAtScore: z
          .number()
          .int()
          .min(-32768)
          .max(32767)
          .default(32767)
          .describe('a score at or above this puts the agent on the redlist'),
        durationDays: z.number().int().min(1).max(36500).default(730).describe('days a blacklisting lasts'),
        removeOnPerformance: z.boolean().default(true).describe('repaying removes a defaulter from the list'),
      })
      .strict()
      .prefault({}),
    sanctions: z
      .object({
        enabled: z.boolean().default(false),
        flightAttemptRate: rate.default(0.002).describe('daily probability a listed person tries to buy a flight'),
        trainAttemptRate: rate
          .default(0.005)
          .describe('daily probability a listed person tries to buy a high-speed train ticket'),
        hotelAttemptRate: rate.default(0.002).describe('daily probability of a luxury-hotel booking attempt'),
        propertyAttemptRate: rate.default(0.0002).describe('daily probability of a property purchase attempt'),
        jobAttemptRate: rate.default(0.001).describe('daily probability of applying for a barred post'),
        schoolingAttemptRate: rate
          .default(0.001)
          .describe('daily probability a listed parent’s child applies to a barred school'),
        publicShaming: z.boolean().default(false).describe('listings are published (visible to the cell)'),
        welfareLoss: nonNegative.max(0.5).default(0.01).describe('hardship added per blocked attempt'),
      })
      .strict()
      .prefault({}),
    family: z
      .object({
        enabled: z.boolean().default(false),
        childrenBarred: z.boolean().default(true).describe('children of a listed parent are barred from some schools'),
        householdLegitimacyLoss: nonNegative
          .max(1)
          .default(0.02)
          .describe('legitimacy lost by each household member when one is sanctioned'),
      })
      .strict()
      .prefault({}),
    predictive: z
      .object({
        enabled: z.boolean().default(false),
        recordWeight: nonNegative.max(10).default(1).describe('risk weight of each recorded event'),
        listWeight: nonNegative.max(10).default(1).describe('risk weight of blacklisting'),
        contactWeight: nonNegative
          .max(10)
          .default(1)
          .describe('risk weight of the share of active neighbours in the cell'),
        bias: nonNegative.max(10).default(0).describe('risk added for members of targeted groups'),
        noise: nonNegative.max(10).default(0.5).describe('s.d.-like spread of unobserved risk factors'),
        capacityPer100k: nonNegative
          .max(100_000)
          .default(0)
          .describe('pre-emptive detentions or interviews per day per 100,000 residents'),
        detentionDays: z.number().int().min(1).max(3650).default(30).describe('days of pre-emptive detention'),
      })
      .strict()
      .prefault({}),
    abuse: z
      .object({
        enabled: z.boolean().default(false),
        extortionRate: rate.default(0.0005).describe('daily probability an informant demands payment from a neighbour'),
        payShare: share.default(0.6).describe('share of extortion targets who pay; the rest are reported'),
        paymentHardship: nonNegative.max(0.5).default(0.02).describe('hardship added to a target who pays'),
      })
      .strict()
      .prefault({}),
    dueProcess: z
      .object({
        enabled: z.boolean().default(false),
        appealRate: rate.default(0.01).describe('daily probability a listed person files an appeal'),
        appealDelayDays: z.number().int().min(0).max(3650).default(30).describe('days until an appeal is decided'),
        successWrongful: rate.default(0.5).describe('probability an appeal against a wrongful listing succeeds'),
        successRightful: rate.default(0.05).describe('probability an appeal against a rightful listing succeeds'),
      })
      .strict()
      .prefault({}),
    propaganda: z
      .object({
        enabled: z.boolean().default(false),
        legitimacyGain: nonNegative
          .max(0.1)
          .default(0.0005)
          .describe('daily legitimacy gain of residents of cells with a service centre'),
        contactSurveillance: rate
          .default(0.02)
          .describe('probability a service centre notices an offline act in its cell'),
      })
      .strict()
      .prefault({}),
    response: z
      .object({
        enabled: z.boolean().default(true),
        deterrence: share.default(0.8).describe('how strongly perceived detection suppresses infractions (0–1)'),
        chilling: share.default(0.8).describe('how strongly perceived online surveillance suppresses posting (0–1)'),
        injusticeLoss: nonNegative.max(1).default(0.05).describe('legitimacy lost by a wrongly sanctioned person'),
        repressionLoss: nonNegative
          .max(1)
          .default(0.002)
          .describe('legitimacy lost per detention seen in one’s cell (per 1,000 residents)'),
        sanctionFear: nonNegative
          .max(100)
          .default(1)
          .describe('perceived enforcers added per sanction seen in the cell (per 1,000 residents)'),
        recovery: nonNegative
          .max(0.1)
          .default(0.001)
          .describe('daily drift of legitimacy back toward its initial mean'),
        sanctionMemory: share.default(0.9).describe('share of yesterday’s seen sanctions still remembered today'),
      })
      .strict()
      .prefault({}),
    agentsPerShard: z.number().int().min(1000).max(100_000_000).default(65_536).describe('preferred shard size'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const regionTotal = p.population.regions.reduce((s, r) => s + r.populationShare, 0);
    if (Math.abs(regionTotal - 1) > 1e-6) {
      ctx.addIssue({
        code: 'custom',
        path: ['population', 'regions'],
        message: `region populationShare values sum to ${regionTotal}, must sum to 1`,
      });
    }
    const groupTotal = p.population.groups.reduce((s, g) => s + g.share, 0);
    if (Math.abs(groupTotal - 1) > 1e-6) {
      ctx.addIssue({
        code: 'custom',
        path: ['population', 'groups'],
        message: `group share values sum to ${groupTotal}, must sum to 1`,
      });
    }
    const hh = p.population.householdSizes.reduce((s, x) => s + x, 0);
    if (Math.abs(hh - 1) > 1e-6) {
      ctx.addIssue({
        code: 'custom',
        path: ['population', 'householdSizes'],
        message: `household size probabilities sum to ${hh}, must sum to 1`,
      });
    }
    const names = new Set<string>();
    for (const [i, r] of p.population.regions.entries()) {
      if (names.has(r.name))
        ctx.addIssue({
          code: 'custom',
          path: ['population', 'regions', i, 'name'],
          message: `duplicate region name "${r.name}"`,
        });
      names.add(r.name);
    }
    names.clear();
    for (const [i, g] of p.population.groups.entries()) {
      if (names.has(g.name))
        ctx.addIssue({
          code: 'custom',
          path: ['population', 'groups', i, 'name'],
          message: `duplicate group name "${g.name}"`,
        });
      names.add(g.name);
    }
    const grades = new Set<string>();
    for (const [i, band] of p.score.bands.entries()) {
      if (grades.has(band.grade)) {
        ctx.addIssue({
          code: 'custom',
          path: ['score', 'bands', i, 'grade'],
          message: `duplicate grade "${band.grade}"`,
        });
      }
      grades.add(band.grade);
    }
    for (let i = 1; i < p.score.bands.length; i++) {
      if (p.score.bands[i].min >= p.score.bands[i - 1].min) {
        ctx.addIssue({
          code: 'custom',
          path: ['score', 'bands', i, 'min'],
          message: 'bands must be listed highest first with decreasing min',
        });
      }
    }
  });

export type RegimeParams = z.infer<typeof regimeParams>;
export type RegionParams = z.infer<typeof regionParams>;
export type GroupParams = z.infer<typeof groupParams>;
