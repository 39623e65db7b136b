/**
 * Renders a model's parameter form (scenario/form.ts) as controls bound to paths of one
 * scenario's parameters. A control changes only its own path; every control shows where its
 * value comes from (the preset's source ids, `assumption`, or "changed", with a way back to
 * the preset's value) and the problems the schema finds with it.
 */
import { diffLeaves, getAt, sameValue, type Tree } from '../scenario/paths.js';
import type { Field, FieldGroup, NumberField } from '../scenario/form.js';
import { citationOf, citationText, type PresetInfo } from '../scenario/presets.js';
import { h, uid } from './dom.js';
import { fmt } from '../../../src/charts/format.js';

export interface FormContext {
  readonly preset: PresetInfo;
  /** The scenario's current parameters. */
  params(): Tree;
  set(path: string, value: unknown): void;
  /** Label of the scenario in compare mode ("A", "B"), for ids and accessible names. */
  readonly side: string;
}

/** A rendered control that can show a new value, its provenance and its problems in place. */
interface Binding {
  readonly path: string;
  update(value: unknown, problems: readonly string[]): void;
}

export interface RenderedForm {
  readonly element: HTMLElement;
  /** Show the current parameters and problems (path → lines) without rebuilding controls. */
  refresh(problems: ReadonlyMap<string, readonly string[]>): void;
}

function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const SLIDER_STEPS = 1000;

/** Slider positions ↔ values: linear, or cubic where the default sits in the range's first 5 %. */
export function sliderScale(field: NumberField, typical: number): { to(v: number): number; from(s: number): number } {
  const lo = field.min > -1e15 ? field.min : Math.min(0, typical * 10);
  const hi = field.max < 1e15 ? field.max : Math.max(10 * Math.abs(typical), lo + 100);
  const top = Math.max(hi, lo + 1e-9);
  const cubic = typical > lo && (typical - lo) / (top - lo) < 0.05;
  const round = (v: number): number => (field.integer ? Math.round(v) : Number(v.toPrecision(6)));
  return cubic
    ? {
        to: (v) => SLIDER_STEPS * Math.cbrt(Math.min(1, Math.max(0, (v - lo) / (top - lo)))),
        from: (s) => round(lo + (top - lo) * (s / SLIDER_STEPS) ** 3),
      }
    : {
        to: (v) => (SLIDER_STEPS * Math.min(1, Math.max(0, (v - lo) / (top - lo)))) | 0,
        from: (s) => round(lo + ((top - lo) * s) / SLIDER_STEPS),
      };
}

/** The source chips (links to the full citations) of a preset value, or what changed. */
function provenance(ctx: FormContext, path: string, value: unknown, holder: HTMLElement): void {
  const original = getAt(ctx.preset.base, path);
  holder.replaceChildren();
  if (!sameValue(original, value)) {
    holder.classList.add('changed');
    holder.append(
      h('span', { class: 'changed-note' }, `changed · preset: ${shortValue(original)}`),
      h(
        'button',
        {
          type: 'button',
          class: 'revert',
          'aria-label': `revert ${path} to the preset's value ${shortValue(original)}`,
          title: "back to the preset's value",
          onclick: () => ctx.set(path, original),
        },
        '↺',
      ),
    );
    return;
  }
  holder.classList.remove('changed');
  const { ids, via } = citationOf(ctx.preset, path);
  const label = via ? `source${ids.length > 1 ? 's' : ''}` : 'uncited model default:';
  holder.append(h('span', { class: 'src-label' }, label));
  for (const id of ids) holder.append(' ', h('a', { href: `#cite-${id}`, class: 'src', title: citationText(id) }, id));
}

function shortValue(v: unknown): string {
  if (typeof v === 'number') return fmt(v);
  if (v === null) return 'none';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

function problemsBox(): HTMLElement {
  return h('div', { class: 'problems', role: 'alert' });
}

function showProblems(box: HTMLElement, problems: readonly string[]): void {
  box.replaceChildren(...problems.map((p) => h('div', {}, p)));
}

/** A number: slider (when the range allows one) and exact input, and "none" where null is allowed. */
function numberControl(field: NumberField, path: string, ctx: FormContext, compact: boolean): [HTMLElement, Binding] {
  const label = `${humanize(field.key)}`;
  const id = uid(`${ctx.side}-${path}`);
  const typical = getAt(ctx.preset.base, path);
  const scale = sliderScale(field, typeof typical === 'number' ? typical : field.min > -1e15 ? field.min : 0);
  const input = h('input', {
    type: 'number',
    id,
    step: 'any',
    ...(field.min > -1e15 ? { min: field.min } : {}),
    ...(field.max < 1e15 ? { max: field.max } : {}),
    'data-path': path,
    'aria-describedby': `${id}-about`,
    ...(compact ? { 'aria-label': `${label} (${field.unit})`, class: 'cell' } : {}),
  });
  const slider = compact
    ? null
    : h('input', {
        type: 'range',
        min: 0,
        max: SLIDER_STEPS,
        step: 1,
        'data-path': path,
        'aria-label': `${label} (${field.unit}) slider`,
      });
  const none = field.nullMeaning
    ? h('input', { type: 'checkbox', 'aria-label': `${label}: ${field.nullMeaning}`, 'data-path': `${path}#null` })
    : null;
  const src = h('div', { class: 'provenance' });
  const problems = problemsBox();
  input.addEventListener('change', () => {
    const text = input.value.trim();
    ctx.set(path, text === '' ? '' : Number(text));
  });
  slider?.addEventListener('input', () => ctx.set(path, scale.from(Number(slider.value))));
  none?.addEventListener('change', () => ctx.set(path, none.checked ? null : field.min > -1e15 ? field.min : 0));
  const binding: Binding = {
    path,
    update(value, list) {
      const isNull = value === null;
      if (none) none.checked = isNull;
      input.disabled = isNull;
      if (document.activeElement !== input)
        input.value = typeof value === 'number' ? String(value) : String(value ?? '');
      if (slider) {
        slider.disabled = isNull;
        if (typeof value === 'number') {
          if (document.activeElement !== slider || Math.abs(scale.from(Number(slider.value)) - value) > 1e-12)
            slider.value = String(scale.to(value));
          slider.setAttribute('aria-valuetext', `${fmt(value)} ${field.unit}`);
        }
      }
      provenance(ctx, path, value, src);
      showProblems(problems, list);
      input.setAttribute('aria-invalid', list.length ? 'true' : 'false');
    },
  };
  if (compact) return [h('div', { class: 'cell-wrap' }, input, none, src, problems), binding];
  const element = h(
    'div',
    { class: 'field number' },
    h('label', { for: id }, label, ' ', h('span', { class: 'unit' }, field.unit)),
    h(
      'div',
      { class: 'inputs' },
      slider,
      input,
      none ? h('label', { class: 'none' }, none, ` ${field.nullMeaning}`) : null,
    ),
    h('div', { class: 'about', id: `${id}-about` }, field.description),
    src,
    problems,
  );
  return [element, binding];
}

function simpleControl(field: Field, path: string, ctx: FormContext, compact: boolean): [HTMLElement, Binding] {
  if (field.kind === 'number') return numberControl(field, path, ctx, compact);
  const id = uid(`${ctx.side}-${path}`);
  const label = humanize(field.key);
  const named = compact ? { 'aria-label': label } : {};
  let control: HTMLInputElement | HTMLSelectElement;
  let read: () => unknown;
  let write: (v: unknown) => void;
  if (field.kind === 'boolean') {
    const box = h('input', { type: 'checkbox', id, 'data-path': path, ...named });
    control = box;
    read = () => box.checked;
    write = (v) => (box.checked = v === true);
  } else if (field.kind === 'choice') {
    const select = h(
      'select',
      { id, 'data-path': path, ...named },
      ...field.options.map((o) => h('option', { value: o }, o)),
    );
    control = select;
    read = () => select.value;
    write = (v) => (select.value = String(v));
  } else if (field.kind === 'text') {
    const text = h('input', { type: 'text', id, maxlength: field.maxLength, 'data-path': path, ...named });
    control = text;
    read = () => text.value;
    write = (v) => {
      if (document.activeElement !== text) text.value = String(v ?? '');
    };
  } else throw new Error(`${path}: not a simple field`);
  control.addEventListener('change', () => ctx.set(path, read()));
  const src = h('div', { class: 'provenance' });
  const problems = problemsBox();
  const binding: Binding = {
    path,
    update(value, list) {
      write(value);
      provenance(ctx, path, value, src);
      showProblems(problems, list);
    },
  };
  if (compact) return [h('div', { class: 'cell-wrap' }, control, src, problems), binding];
  const element =
    field.kind === 'boolean'
      ? h(
          'div',
          { class: 'field boolean' },
          h('label', { for: id }, control, ' ', label),
          h('div', { class: 'about' }, field.description),
          src,
          problems,
        )
      : h(
          'div',
          { class: `field ${field.kind}` },
          h('label', { for: id }, label),
          control,
          h('div', { class: 'about' }, field.description),
          src,
          problems,
        );
  return [element, binding];
}

/** A default for a new number (the lowest allowed value, nudged up when the bound is exclusive). */
function starting(field: Field): unknown {
  if (field.kind === 'number') {
    const lo = field.min > -1e15 ? field.min : 0;
    return field.minInclusive ? lo : lo + (Math.min(field.max, lo + 1) - lo) / 100;
  }
  if (field.kind === 'boolean') return false;
  if (field.kind === 'choice') return field.options[0];
  return '';
}

export function renderForm(groups: readonly FieldGroup[], ctx: FormContext): RenderedForm {
  const bindings: Binding[] = [];
  /** Parts that rebuild themselves when the shape of their value changes (rows added, variant switched). */
  const rebuilders: { path: string; holder: HTMLElement; shapeOf(): string; shape: string; rebuild(): void }[] = [];

  const renderField = (field: Field, path: string, host: HTMLElement): void => {
    if (field.kind === 'table' || field.kind === 'numberList' || field.kind === 'variant') {
      const holder = h('div', { class: `field ${field.kind}` });
      const shapeOf = (): string => {
        const v = getAt(ctx.params(), path);
        if (field.kind === 'variant')
          return String((v as Record<string, unknown> | undefined)?.[field.discriminator] ?? '');
        return String(Array.isArray(v) ? v.length : -1);
      };
      const build = (): void => holder.replaceChildren(...structured(field, path));
      build();
      rebuilders.push({ path, holder, shapeOf, shape: shapeOf(), rebuild: build });
      host.append(holder);
      return;
    }
    const [element, binding] = simpleControl(field, path, ctx, false);
    bindings.push(binding);
    host.append(element);
  };

  const structured = (field: Field, path: string): HTMLElement[] => {
    const value = getAt(ctx.params(), path);
    const title = h('div', { class: 'field-title' }, humanize(field.key));
    const about = h('div', { class: 'about' }, field.description);
    const src = h('div', { class: 'provenance' });
    const problems = problemsBox();
    bindings.push({
      path,
      update(v, list) {
        provenance(ctx, path, v, src);
        showProblems(problems, list);
      },
    });
    if (field.kind === 'variant') {
      const current = (value as Record<string, unknown> | undefined)?.[field.discriminator];
      const id = uid(`${ctx.side}-${path}`);
      const select = h(
        'select',
        { id, 'data-path': `${path}.${field.discriminator}` },
        ...field.variants.map((v) => h('option', { value: v.value, selected: v.value === current }, v.value)),
      );
      select.addEventListener('change', () => {
        const variant = field.variants.find((v) => v.value === select.value)!;
        const next: Record<string, unknown> = { [field.discriminator]: variant.value };
        for (const f of variant.fields) next[f.key] = starting(f);
        ctx.set(path, next);
      });
      const variant = field.variants.find((v) => v.value === current);
      const body = h('div', { class: 'variant-body' });
      for (const f of variant?.fields ?? []) renderField(f, `${path}.${f.key}`, body);
      return [
        title,
        h('label', { for: id, class: 'sub' }, 'kind '),
        select,
        h('div', { class: 'about' }, variant?.description ?? ''),
        body,
        about,
        src,
        problems,
      ];
    }
    if (field.kind !== 'table' && field.kind !== 'numberList') return [];
    const rows = Array.isArray(value) ? value : [];
    const canAdd = rows.length < field.maxItems;
    const canRemove = rows.length > field.minItems;
    const add = h(
      'button',
      {
        type: 'button',
        class: 'add-row',
        disabled: !canAdd,
        onclick: () => {
          const last = rows[rows.length - 1];
          const fresh =
            field.kind === 'table'
              ? { ...(last as object), ...('name' in (last as object) ? { name: `row${rows.length + 1}` } : {}) }
              : 0;
          ctx.set(path, [...rows, fresh]);
        },
      },
      `add ${field.kind === 'table' ? 'row' : 'value'}`,
    );
    const remove = (i: number): HTMLButtonElement =>
      h(
        'button',
        {
          type: 'button',
          class: 'remove-row',
          disabled: !canRemove,
          'aria-label': `remove ${humanize(field.key).toLowerCase()} ${i + 1}`,
          onclick: () =>
            ctx.set(
              path,
              rows.filter((_, j) => j !== i),
            ),
        },
        '×',
      );
    if (field.kind === 'numberList') {
      const cells = rows.map((_, i) => {
        const [element, binding] = numberControl(
          { ...field.item, key: `${field.key} ${i + 1}` },
          `${path}.${i}`,
          ctx,
          true,
        );
        bindings.push(binding);
        return h('div', { class: 'list-item' }, h('span', { class: 'index' }, String(i + 1)), element, remove(i));
      });
      return [
        title,
        h('span', { class: 'unit' }, field.item.unit),
        h('div', { class: 'number-list' }, ...cells),
        add,
        about,
        src,
        problems,
      ];
    }
    const head = h(
      'tr',
      {},
      ...field.columns.map((c) =>
        h(
          'th',
          { scope: 'col', title: c.description },
          humanize(c.key),
          c.kind === 'number' ? h('span', { class: 'unit' }, c.unit) : null,
        ),
      ),
      h('th', {}, h('span', { class: 'visually-hidden' }, 'remove')),
    );
    const body = rows.map((_, i) =>
      h(
        'tr',
        {},
        ...field.columns.map((c) => {
          const [element, binding] = simpleControl(
            { ...c, key: `${c.key} (${humanize(field.key).toLowerCase()} ${i + 1})` } as Field,
            `${path}.${i}.${c.key}`,
            ctx,
            true,
          );
          bindings.push(binding);
          return h('td', {}, element);
        }),
        h('td', {}, remove(i)),
      ),
    );
    return [
      title,
      h(
        'div',
        { class: 'table-scroll' },
        h('table', { class: 'param-table' }, h('thead', {}, head), h('tbody', {}, ...body)),
      ),
      add,
      about,
      src,
      problems,
    ];
  };

  const element = h('div', { class: 'param-form' });
  for (const group of groups) {
    // A mechanism that is switched off starts folded: its values change nothing until it is on.
    const on = !group.toggle || getAt(ctx.params(), group.toggle.path) !== false;
    const details = h('details', { class: 'group', 'data-group': group.path || group.title, open: on });
    const state = h('span', { class: 'group-state' });
    const changes = h('span', { class: 'group-changes' });
    details.append(h('summary', {}, h('span', { class: 'group-title' }, group.title), ' ', state, ' ', changes));
    if (group.toggle) {
      const [toggle, binding] = simpleControl(
        { ...group.toggle, key: `${group.title} on` },
        group.toggle.path,
        ctx,
        false,
      );
      toggle.classList.add('group-toggle');
      bindings.push({
        path: binding.path,
        update(value, problems) {
          binding.update(value, problems);
          details.classList.toggle('off', value === false);
          state.textContent = value === false ? 'off' : 'on';
        },
      });
      details.append(toggle);
    }
    if (group.description) details.append(h('div', { class: 'about' }, group.description));
    for (const field of group.fields) renderField(field, field.path, details);
    // How many of the group's values differ from the preset's, shown on the folded title.
    const paths = [...(group.toggle ? [group.toggle.path] : []), ...group.fields.map((f) => f.path)];
    bindings.push({
      path: group.path,
      update() {
        const params = ctx.params();
        const n = paths.reduce((sum, p) => sum + diffLeaves(getAt(ctx.preset.base, p), getAt(params, p)).length, 0);
        changes.textContent = n ? `${n} changed` : '';
      },
    });
    element.append(details);
  }

  const refresh = (problems: ReadonlyMap<string, readonly string[]>): void => {
    const params = ctx.params();
    for (const r of rebuilders) {
      const shape = r.shapeOf();
      if (shape !== r.shape) {
        // Drop the bindings of the old rows; the rebuild registers the new ones.
        for (let i = bindings.length - 1; i >= 0; i--)
          if (bindings[i].path === r.path || bindings[i].path.startsWith(`${r.path}.`)) bindings.splice(i, 1);
        r.shape = shape;
        // Keep keyboard focus on the same control (or the add button) across the rebuild.
        const active = document.activeElement;
        const focused = active instanceof HTMLElement && r.holder.contains(active) ? active : null;
        const selector = focused?.dataset.path
          ? `[data-path="${CSS.escape(focused.dataset.path)}"]`
          : focused?.classList.contains('remove-row') || focused?.classList.contains('add-row')
            ? '.add-row'
            : null;
        r.rebuild();
        if (selector) (r.holder.querySelector(selector) as HTMLElement | null)?.focus();
      }
    }
    for (const b of bindings) b.update(getAt(params, b.path), problems.get(b.path) ?? []);
  };
  return { element, refresh };
}
