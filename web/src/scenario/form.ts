/**
 * The explorer's controls, derived from a model's zod parameter schema: each parameter
 * becomes a field (number with range, toggle, choice, text, list of numbers, table of
 * rows, or a choice among variants), grouped by the schema's mechanism blocks. Nothing
 * here is written per model: a parameter added to a schema appears in the page.
 */
import { unwrap } from '../../../src/scenario/issues.js';
import { describeSchema as describe, unitOf } from '../../../src/scenario/units.js';

type AnyDef = Record<string, unknown> & { type?: string };

function defOf(schema: unknown): AnyDef {
  const def = (schema as { _zod?: { def?: AnyDef } } | undefined)?._zod?.def;
  if (!def) throw new Error('not a zod schema');
  return def;
}

function isNullable(schema: unknown): boolean {
  let s: unknown = schema;
  for (let i = 0; i < 20 && s; i++) {
    const def = defOf(s);
    if (def.type === 'nullable') return true;
    s = def.innerType;
  }
  return false;
}

interface FieldBase {
  /** Path from the params root, e.g. `population.regions` or `cameras.enabled`. */
  readonly path: string;
  /** The key, e.g. `camerasPerThousand`. */
  readonly key: string;
  readonly description: string;
}

export interface NumberField extends FieldBase {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  /** Whether min / max themselves are allowed. */
  readonly minInclusive: boolean;
  readonly integer: boolean;
  readonly unit: string;
  /** null is allowed (e.g. an infinite jail term), with this meaning. */
  readonly nullMeaning?: string;
}
export interface BooleanField extends FieldBase {
  readonly kind: 'boolean';
}
export interface ChoiceField extends FieldBase {
  readonly kind: 'choice';
  readonly options: readonly string[];
}
export interface TextField extends FieldBase {
  readonly kind: 'text';
  readonly maxLength: number;
}
export interface NumberListField extends FieldBase {
  readonly kind: 'numberList';
  readonly item: NumberField;
  readonly minItems: number;
  readonly maxItems: number;
}
export interface TableField extends FieldBase {
  readonly kind: 'table';
  /** Columns, with paths relative to a row. */
  readonly columns: readonly Field[];
  readonly minItems: number;
  readonly maxItems: number;
}
export interface VariantField extends FieldBase {
  readonly kind: 'variant';
  readonly discriminator: string;
  readonly variants: readonly {
    readonly value: string;
    readonly description: string;
    readonly fields: readonly Field[];
  }[];
}
export type Field = NumberField | BooleanField | ChoiceField | TextField | NumberListField | TableField | VariantField;

/** A mechanism block (`cameras`, `police`…) or, for flat schemas, the model's own parameters. */
export interface FieldGroup {
  readonly path: string;
  readonly title: string;
  readonly description: string;
  /** The block's on/off switch (`enabled`), shown with its title. */
  readonly toggle?: BooleanField;
  readonly fields: readonly Field[];
}

const join = (prefix: string, key: string): string => (prefix ? `${prefix}.${key}` : key);

function numberField(schema: unknown, path: string, key: string): NumberField {
  const inner = unwrap(schema) as {
    minValue: number | null;
    maxValue: number | null;
    isInt: boolean;
    _zod: { def: { checks?: { _zod: { def: { check: string; inclusive?: boolean } } }[] } };
  };
  const lower = (inner._zod.def.checks ?? []).find((c) => c._zod.def.check === 'greater_than');
  const min = inner.minValue ?? -Number.MAX_SAFE_INTEGER;
  const max = inner.maxValue ?? Number.MAX_SAFE_INTEGER;
  const description = describe(schema);
  return {
    kind: 'number',
    path,
    key,
    description,
    min: Number.isFinite(min) ? min : -Number.MAX_SAFE_INTEGER,
    max: Number.isFinite(max) ? max : Number.MAX_SAFE_INTEGER,
    minInclusive: lower?._zod.def.inclusive !== false,
    integer: inner.isInt,
    unit: unitOf(path, description),
    ...(isNullable(schema) ? { nullMeaning: nullMeaning(description) } : {}),
  };
}

function nullMeaning(description: string): string {
  const m = /null = ([^;]+)/.exec(description);
  return m ? m[1].trim() : 'none';
}

/** The field for one parameter. */
export function fieldOf(schema: unknown, path: string, key: string): Field {
  const s = unwrap(schema);
  const def = defOf(s);
  const description = describe(schema);
  switch (def.type) {
    case 'number':
      return numberField(schema, path, key);
    case 'boolean':
      return { kind: 'boolean', path, key, description };
    case 'enum':
      return {
        kind: 'choice',
        path,
        key,
        description,
        options: Object.values(def.entries as Record<string, string>),
      };
    case 'string': {
      const max = (s as { maxLength: number | null }).maxLength;
      return { kind: 'text', path, key, description, maxLength: max ?? 200 };
    }
    case 'array': {
      const element = def.element;
      const el = defOf(unwrap(element));
      const checks = (def.checks as { _zod: { def: { check: string; minimum?: number; maximum?: number } } }[]) ?? [];
      const minItems = checks.find((c) => c._zod.def.check === 'min_length')?._zod.def.minimum ?? 0;
      const maxItems = checks.find((c) => c._zod.def.check === 'max_length')?._zod.def.maximum ?? 100;
      if (el.type === 'number') {
        return {
          kind: 'numberList',
          path,
          key,
          description,
          item: numberField(element, path, key),
          minItems,
          maxItems,
        };
      }
      if (el.type === 'object') {
        const shape = el.shape as Record<string, unknown>;
        return {
          kind: 'table',
          path,
          key,
          description,
          columns: Object.entries(shape).map(([k, sub]) => fieldOf(sub, join(path, k), k)),
          minItems,
          maxItems,
        };
      }
      break;
    }
    case 'union': {
      const discriminator = def.discriminator as string | undefined;
      if (!discriminator) break;
      const variants = (def.options as unknown[]).map((option) => {
        const shape = defOf(unwrap(option)).shape as Record<string, unknown>;
        const tag = defOf(unwrap(shape[discriminator]));
        const value = (tag.values as string[])[0];
        return {
          value,
          description: describe(option),
          fields: Object.entries(shape)
            .filter(([k]) => k !== discriminator)
            .map(([k, sub]) => fieldOf(sub, join(path, k), k)),
        };
      });
      return { kind: 'variant', path, key, description, discriminator, variants };
    }
  }
  throw new Error(`${path}: the explorer has no control for a parameter of type ${def.type ?? '?'}`);
}

function titleOf(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A model's parameters as groups of fields: each nested mapping of the schema (a
 * mechanism block) is a group, with its `enabled` switch as the group's toggle; the
 * top-level values that are not blocks form a first group of their own. `omit` leaves out
 * paths the page sets elsewhere (the population size, in the run settings).
 */
export function formOf(schema: unknown, omit: readonly string[] = []): FieldGroup[] {
  const shape = defOf(unwrap(schema)).shape as Record<string, unknown>;
  const general: Field[] = [];
  const groups: FieldGroup[] = [];
  for (const [key, sub] of Object.entries(shape)) {
    if (omit.includes(key)) continue;
    const def = defOf(unwrap(sub));
    if (def.type !== 'object') {
      general.push(fieldOf(sub, key, key));
      continue;
    }
    const inner = def.shape as Record<string, unknown>;
    const fields: Field[] = [];
    let toggle: BooleanField | undefined;
    for (const [k, s] of Object.entries(inner)) {
      const path = join(key, k);
      if (omit.includes(path)) continue;
      const field = fieldOf(s, path, k);
      if (k === 'enabled' && field.kind === 'boolean') toggle = field;
      else fields.push(field);
    }
    groups.push({
      path: key,
      title: titleOf(key),
      description: describe(sub),
      ...(toggle ? { toggle } : {}),
      fields,
    });
  }
  // Engine settings (the shard size) go last: they change how the work is split, not the world.
  const model = general.filter((f) => f.key !== 'agentsPerShard');
  const engine = general.filter((f) => f.key === 'agentsPerShard');
  return [
    ...(model.length ? [{ path: '', title: 'Model', description: '', fields: model }] : []),
    ...groups,
    ...(engine.length ? [{ path: '', title: 'Engine', description: 'how the work is split', fields: engine }] : []),
  ];
}

/** Every field, tables' columns and variants' fields included (for checks over a whole form). */
export function allFields(groups: readonly FieldGroup[]): Field[] {
  const out: Field[] = [];
  const walk = (f: Field): void => {
    out.push(f);
    if (f.kind === 'table') f.columns.forEach(walk);
    if (f.kind === 'variant') f.variants.forEach((v) => v.fields.forEach(walk));
    if (f.kind === 'numberList') out.push(f.item);
  };
  for (const g of groups) {
    if (g.toggle) walk(g.toggle);
    g.fields.forEach(walk);
  }
  return out;
}
