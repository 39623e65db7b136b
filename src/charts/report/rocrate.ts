/**
 * RO-Crate 1.1 metadata (`ro-crate-metadata.json`) for files Panopticon writes — reports,
 * figures, exports — following the Process Run Crate profile 0.5: the simulation runs and the
 * export are CreateActions whose instrument is Panopticon (a SoftwareApplication, by version);
 * each run's parameters are PropertyValues citing their sources. Archives and journals read it
 * to know what produced the files beside it.
 * Spec: https://w3id.org/ro/crate/1.1, profile: https://w3id.org/ro/wfrun/process/0.5.
 */
import { ASSUMPTION } from '../../scenario/sources.js';
import {
  citationsFor,
  showValue,
  type ExperimentProvenance,
  type GeneratorInfo,
  type ParameterRecord,
  type RunProvenance,
} from './provenance.js';

export const CRATE_FILE = 'ro-crate-metadata.json';
const RO_CRATE = 'https://w3id.org/ro/crate/1.1';
const PROCESS_RUN_CRATE = 'https://w3id.org/ro/wfrun/process/0.5';

type Ref = { '@id': string };
export type Entity = { '@id': string; '@type': string | string[]; [k: string]: unknown };
export interface RoCrate {
  '@context': string | (string | Record<string, unknown>)[];
  '@graph': Entity[];
}

export interface CrateFile {
  /** Path relative to the crate's folder (the folder holding ro-crate-metadata.json). */
  readonly path: string;
  readonly name: string;
  readonly description?: string;
  readonly encodingFormat: string;
}

export interface CrateInput {
  readonly name: string;
  readonly description: string;
  readonly files: readonly CrateFile[];
  readonly runs: readonly RunProvenance[];
  readonly experiment?: ExperimentProvenance;
  readonly generator: GeneratorInfo;
  /** What wrote the files: "report", "export". */
  readonly action: string;
  /** The action's @id; a new UUID by default. */
  readonly actionId?: string;
}

const ref = (id: string): Ref => ({ '@id': id });

/** A file's @id: a relative URI (spaces and the like percent-encoded, slashes kept). */
export function fileId(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function software(version: string, commit: string | null): Entity {
  return {
    '@id': `#panopticon-${version}`,
    '@type': 'SoftwareApplication',
    name: 'Panopticon',
    description: 'Agent-based simulator of mass-surveillance and social-credit regimes on synthetic populations',
    softwareVersion: version,
    ...(commit ? { identifier: `git:${commit}` } : {}),
  };
}

function parameterEntities(prefix: string, parameters: readonly ParameterRecord[]): Entity[] {
  return parameters.map((p) => ({
    '@id': `${prefix}/param/${p.path}`,
    '@type': 'PropertyValue',
    name: p.path,
    value: typeof p.value === 'number' || typeof p.value === 'boolean' ? p.value : showValue(p.value),
    ...(p.sources.length ? { citation: p.sources.map((s) => ref(`#source-${s}`)) } : {}),
    ...(p.varied
      ? { description: `varied by the experiment's design: ${p.varied} (value at the first design point)` }
      : {}),
  }));
}

function runEntities(r: RunProvenance): Entity[] {
  const id = `#run-${r.runId}`;
  const params = parameterEntities(id, r.parameters);
  const envelope: Entity[] = [
    { '@id': `${id}/seed`, '@type': 'PropertyValue', name: 'seed', value: r.seed },
    { '@id': `${id}/steps`, '@type': 'PropertyValue', name: 'steps', value: r.steps },
    {
      '@id': `${id}/scenario-hash`,
      '@type': 'PropertyValue',
      name: 'scenario hash (SHA-256 of model, seed, steps, params)',
      value: r.scenarioHash,
    },
    ...(r.preset ? [{ '@id': `${id}/preset`, '@type': 'PropertyValue', name: 'preset', value: r.preset }] : []),
  ];
  const results: Entity = {
    '@id': `${id}/metrics`,
    '@type': 'CreativeWork',
    name: `Per-tick metrics of run ${r.runId}`,
    description: `Rows of the results store's metrics table with run_id = '${r.runId}' (long form: run_id, tick, metric, key, value).`,
  };
  const action: Entity = {
    '@id': id,
    '@type': 'CreateAction',
    name: `Simulation run ${r.runId}: model ${r.model}${r.preset ? `, preset ${r.preset}` : ''}`,
    description: `${r.model}${r.preset ? ` preset ${r.preset}` : ''}, ${r.agents} agents, ${r.steps} steps, seed ${r.seed}, ${r.threads} thread(s); scenario hash ${r.scenarioHash}${r.description ? `. ${r.description}` : ''}`,
    instrument: ref(`#panopticon-${r.version}`),
    startTime: r.startedAt,
    ...(r.finishedAt ? { endTime: r.finishedAt } : {}),
    actionStatus: ref(
      r.status === 'complete' ? 'http://schema.org/CompletedActionStatus' : 'http://schema.org/FailedActionStatus',
    ),
    ...(r.status !== 'complete' ? { error: `run ${r.status}` } : {}),
    object: [...envelope, ...params].map((e) => ref(e['@id'])),
    result: ref(results['@id']),
  };
  const odd: Entity[] = r.odd
    ? [
        {
          '@id': r.odd.href ?? `#odd-${r.model}`,
          '@type': 'CreativeWork',
          name: `ODD description of the ${r.model} model (${r.odd.path}, Panopticon ${r.version})`,
        },
      ]
    : [];
  if (r.odd) action.subjectOf = ref(odd[0]['@id']);
  return [action, software(r.version, r.commit), results, ...envelope, ...params, ...odd];
}

function experimentEntities(e: ExperimentProvenance): Entity[] {
  const id = `#experiment-${e.id}`;
  const factors: Entity[] = e.factors.map((f) => ({
    '@id': `${id}/factor/${f.name}`,
    '@type': 'PropertyValue',
    name: `factor ${f.name}: ${f.path}`,
    value: f.range,
  }));
  const arms = e.arms.flatMap((a) => parameterEntities(`${id}/arm/${a.name}`, a.parameters));
  const envelope: Entity[] = [
    { '@id': `${id}/design`, '@type': 'PropertyValue', name: 'design', value: e.design },
    {
      '@id': `${id}/seed`,
      '@type': 'PropertyValue',
      name: 'seed of replicate 0 (replicate r: seed + r)',
      value: e.seed,
    },
    { '@id': `${id}/replicates`, '@type': 'PropertyValue', name: 'replicates', value: e.replicates },
    {
      '@id': `${id}/definition-hash`,
      '@type': 'PropertyValue',
      name: 'definition hash (SHA-256)',
      value: e.definitionHash,
    },
  ];
  const results: Entity = {
    '@id': `${id}/tables`,
    '@type': 'CreativeWork',
    name: `Tables of experiment ${e.id}`,
    description: `Rows with experiment_id = '${e.id}' in the results store's experiment tables (experiment_runs, experiment_values, experiment_summary, experiment_paired, experiment_morris, experiment_sobol, …).`,
  };
  const action: Entity = {
    '@id': id,
    '@type': 'CreateAction',
    name: `Experiment ${e.id}: ${e.design} design, ${e.points} point(s), arms ${e.arms.map((a) => a.name).join(', ')}`,
    description:
      `${e.description ?? ''} ${e.runsStored ?? 0} runs stored of ${e.runsPlanned ?? '?'} planned, ${e.runsFailed ?? 0} failed; ${e.steps} steps each.`.trim(),
    instrument: ref(`#panopticon-${e.version}`),
    startTime: e.createdAt,
    endTime: e.updatedAt,
    actionStatus: ref(
      e.status === 'complete' ? 'http://schema.org/CompletedActionStatus' : 'http://schema.org/FailedActionStatus',
    ),
    ...(e.status !== 'complete' ? { error: `experiment ${e.status}` } : {}),
    object: [...envelope, ...factors, ...arms].map((x) => ref(x['@id'])),
    result: ref(results['@id']),
  };
  return [action, software(e.version, null), results, ...envelope, ...factors, ...arms];
}

/** The crate for files just written. */
export function roCrate(input: CrateInput): RoCrate {
  const g = input.generator;
  const files: Entity[] = input.files.map((f) => ({
    '@id': fileId(f.path),
    '@type': 'File',
    name: f.name,
    encodingFormat: f.encodingFormat,
    ...(f.description ? { description: f.description } : {}),
  }));
  // A fresh id per action (RO-Crate recommends UUIDs), so writing twice in one second keeps both.
  const actionId = input.actionId ?? `#${input.action}-${globalThis.crypto.randomUUID()}`;
  const write: Entity = {
    '@id': actionId,
    '@type': 'CreateAction',
    name: `panopticon ${input.action}`,
    description: g.command,
    instrument: ref(`#panopticon-${g.version}`),
    endTime: g.at,
    actionStatus: ref('http://schema.org/CompletedActionStatus'),
    object: [
      ...input.runs.map((r) => ref(`#run-${r.runId}/metrics`)),
      ...(input.experiment ? [ref(`#experiment-${input.experiment.id}/tables`)] : []),
    ],
    result: files.map((f) => ref(f['@id'])),
  };
  const parameters = [
    ...input.runs.flatMap((r) => r.parameters),
    ...(input.experiment?.arms.flatMap((a) => a.parameters) ?? []),
  ];
  const ids = new Set(parameters.flatMap((p) => p.sources));
  ids.add(ASSUMPTION);
  const sources: Entity[] = citationsFor(ids).map((c) => ({
    '@id': `#source-${c.id}`,
    '@type': 'CreativeWork',
    name: c.id,
    description: c.citation,
  }));
  const graph: Entity[] = [
    { '@id': CRATE_FILE, '@type': 'CreativeWork', conformsTo: ref(RO_CRATE), about: ref('./') },
    {
      '@id': './',
      '@type': 'Dataset',
      name: input.name,
      description: input.description,
      datePublished: g.at,
      conformsTo: ref(PROCESS_RUN_CRATE),
      hasPart: files.map((f) => ref(f['@id'])),
      mentions: [
        ...input.runs.map((r) => ref(`#run-${r.runId}`)),
        ...(input.experiment ? [ref(`#experiment-${input.experiment.id}`)] : []),
        ref(actionId),
      ],
    },
    { '@id': PROCESS_RUN_CRATE, '@type': 'CreativeWork', name: 'Process Run Crate', version: '0.5' },
    software(g.version, g.commit),
    write,
    ...files,
    ...input.runs.flatMap(runEntities),
    ...(input.experiment ? experimentEntities(input.experiment) : []),
    ...sources,
  ];
  return {
    '@context': [`${RO_CRATE}/context`, 'https://w3id.org/ro/terms/workflow-run/context'],
    '@graph': dedupe(graph),
  };
}

function dedupe(graph: readonly Entity[]): Entity[] {
  const byId = new Map<string, Entity>();
  for (const e of graph) byId.set(e['@id'], e);
  return [...byId.values()];
}

/** Whether a parsed JSON document is a crate Panopticon wrote (and may therefore extend). */
export function isPanopticonCrate(doc: unknown): doc is RoCrate {
  if (!doc || typeof doc !== 'object') return false;
  const graph = (doc as { '@graph'?: unknown })['@graph'];
  return (
    Array.isArray(graph) &&
    graph.some((e) => e && typeof e === 'object' && e['@id'] === './') &&
    graph.some((e) => e && typeof e === 'object' && e['@type'] === 'SoftwareApplication' && e.name === 'Panopticon')
  );
}

function refs(v: unknown): Ref[] {
  return (Array.isArray(v) ? v : v ? [v] : []) as Ref[];
}

/**
 * Add a new crate's entities to an existing Panopticon crate in the same folder: files and
 * actions accumulate (a folder of exports becomes one crate); an entity with the same @id is
 * replaced by the newer one; the root keeps every part and mention of both.
 */
export function mergeCrates(old: RoCrate, add: RoCrate): RoCrate {
  const oldRoot = old['@graph'].find((e) => e['@id'] === './')!;
  const newRoot = add['@graph'].find((e) => e['@id'] === './')!;
  const union = (a: unknown, b: unknown) => {
    const out = new Map<string, Ref>();
    for (const r of [...refs(a), ...refs(b)]) out.set(r['@id'], r);
    return [...out.values()];
  };
  const root: Entity = {
    ...oldRoot,
    ...newRoot,
    name: oldRoot.name === newRoot.name ? newRoot.name : 'Panopticon outputs',
    description:
      oldRoot.description === newRoot.description
        ? newRoot.description
        : 'Files written by Panopticon: see each action for what produced which file.',
    hasPart: union(oldRoot.hasPart, newRoot.hasPart),
    mentions: union(oldRoot.mentions, newRoot.mentions),
  };
  return { '@context': add['@context'], '@graph': dedupe([...old['@graph'], ...add['@graph'], root]) };
}
