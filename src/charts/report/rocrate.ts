/**
 * RO-Crate 1.1 metadata (`ro-crate-metadata.json`) for files Panopticon writes — reports,
 * figures, exports — following the Process Run Crate profile 0.5: the simulation runs and the
 * export are CreateActions whose instrument is Panopticon (a SoftwareApplication, by version);
 * each run's parameters are PropertyValues citing their sources. Archives and journals read it
 * to know what produced the files beside it.
 * Spec: https://w3id.org/ro/crate/1.1, profile: https://w3id.org/ro/wfrun/process/0.5.
 */
import { ASSUMPTION } from '../../scenario/sources.js';
import { citationsFor, showValue, type GeneratorInfo, type RunProvenance } from './provenance.js';

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

function runEntities(r: RunProvenance): Entity[] {
  const id = `#run-${r.runId}`;
  const params: Entity[] = r.parameters.map((p) => ({
    '@id': `${id}/param/${p.path}`,
    '@type': 'PropertyValue',
    name: p.path,
    value: typeof p.value === 'number' || typeof p.value === 'boolean' ? p.value : showValue(p.value),
    citation: p.sources.map((s) => ref(`#source-${s}`)),
  }));
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
    object: input.runs.map((r) => ref(`#run-${r.runId}/metrics`)),
    result: files.map((f) => ref(f['@id'])),
  };
  const ids = new Set(input.runs.flatMap((r) => r.parameters.flatMap((p) => p.sources)));
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
      mentions: [...input.runs.map((r) => ref(`#run-${r.runId}`)), ref(actionId)],
    },
    { '@id': PROCESS_RUN_CRATE, '@type': 'CreativeWork', name: 'Process Run Crate', version: '0.5' },
    software(g.version, g.commit),
    write,
    ...files,
    ...input.runs.flatMap(runEntities),
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
