/**
 * The explorer page: preset gallery, run settings and controls, parameter forms generated
 * from the model's schema, live charts, comparison, share links, downloads and, when the
 * page is served by `panopticon serve`, the runs in the results store.
 */
import { formatIssues } from '../../../src/scenario/issues.js';
import { ASSUMPTION } from '../../../src/scenario/sources.js';
import { isIsoDate } from '../../../src/scenario/dates.js';
import { metricsCsv } from '../scenario/csv.js';
import { formOf, type FieldGroup } from '../scenario/form.js';
import { getAt, setAt, type Tree } from '../scenario/paths.js';
import { citationText, citedIds, type PresetCatalog, type PresetInfo } from '../scenario/presets.js';
import { scenarioFileText } from '../scenario/scenario-file.js';
import { decodeShare, encodeShare } from '../scenario/share.js';
import {
  AGENTS_PATH,
  changedParams,
  defaultSettings,
  initialState,
  presetOrThrow,
  runDocument,
  sideOf,
  type ExplorerState,
  type Settings,
  type Side,
} from '../scenario/state.js';
import { ChartPanel, type ChartSource } from './charts.js';
import { renderForm, type RenderedForm } from './controls.js';
import { download, fill, h } from './dom.js';
import { fmt } from '../../../src/charts/format.js';
import { RunSession } from './run-session.js';
import { StoredRuns } from './stored.js';

export const DEFAULT_PRESET = 'national-blacklist';
type Letter = 'a' | 'b';

interface Problems {
  readonly byPath: Map<string, string[]>;
  readonly lines: string[];
}

const SCOPE_LINE =
  'Synthetic populations only. Panopticon never ingests personal data about real people, never identifies anyone from images, audio or text, and has no case-management, reporting or enforcement interface.';

export class App {
  state: ExplorerState;
  private editing: Letter = 'a';
  private sessions: Record<Letter, RunSession | null> = { a: null, b: null };
  /** The documents the shown results were computed from (to tell when they are out of date). */
  private ranDocs: Record<Letter, string | null> = { a: null, b: null };
  private forms: Record<Letter, { preset: string; form: RenderedForm } | null> = { a: null, b: null };
  private readonly charts: ChartPanel;
  private readonly stored: StoredRuns;
  private readonly el = {
    gallery: h('div', { class: 'gallery', role: 'list' }),
    galleryNote: h('p', { class: 'gallery-note' }),
    settings: h('div', { class: 'settings' }),
    buttons: h('div', { class: 'buttons' }),
    progress: h('progress', { max: 1, value: 0, 'aria-label': 'run progress' }),
    status: h('div', { class: 'status', role: 'status', 'aria-live': 'polite' }),
    stale: h('div', { class: 'stale', hidden: true }),
    problems: h('div', { class: 'scenario-problems', role: 'alert' }),
    notices: h('div', { class: 'notices', role: 'alert' }),
    summary: h('div', { class: 'summary' }),
    share: h('div', { class: 'share' }),
    tabs: h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'scenario being edited' }),
    form: h('div', { class: 'form-host' }),
    sources: h('div', { class: 'sources' }),
    timing: h('div', { class: 'timing' }),
  };

  constructor(
    private readonly root: HTMLElement,
    private readonly catalog: PresetCatalog,
  ) {
    const decoded = location.hash.length > 1 ? decodeShare(catalog, location.hash, DEFAULT_PRESET) : null;
    this.state = decoded?.state ?? initialState(catalog, DEFAULT_PRESET);
    if (decoded?.problems.length)
      this.notice('The link asked for things the page could not apply:', decoded.problems, 'link');
    this.charts = new ChartPanel(h('div', { class: 'charts' }), this.el.summary);
    this.stored = new StoredRuns((doc) => this.openStoredScenario(doc));
    this.layout();
    window.addEventListener('hashchange', () => this.followLink());
  }

  /** Build the page once; parts are refreshed in place from then on. */
  private layout(): void {
    const { el } = this;
    fill(
      this.root,
      h(
        'header',
        { class: 'top' },
        h('h1', {}, 'Panopticon explorer'),
        h(
          'p',
          { class: 'tagline' },
          'Run the surveillance and social-credit regime model, and Epstein’s civil-violence models, in your browser: nothing is computed on a server.',
        ),
        h('p', { class: 'scope', id: 'scope' }, h('strong', {}, 'Scope: '), SCOPE_LINE),
      ),
      el.notices,
      h(
        'main',
        { class: 'layout' },
        h(
          'div',
          { class: 'side' },
          h(
            'section',
            { 'aria-labelledby': 'gallery-h' },
            h('h2', { id: 'gallery-h' }, 'Presets'),
            el.galleryNote,
            el.gallery,
          ),
          h(
            'section',
            { 'aria-labelledby': 'params-h', class: 'params' },
            h('h2', { id: 'params-h' }, 'Parameters'),
            el.tabs,
            el.form,
          ),
        ),
        h(
          'div',
          { class: 'results' },
          h(
            'section',
            { 'aria-labelledby': 'run-h', class: 'run-panel' },
            h('h2', { id: 'run-h' }, 'Run'),
            el.settings,
            el.buttons,
            h('div', { class: 'progress-line' }, el.progress, el.status),
            el.stale,
            el.problems,
          ),
          h('section', { 'aria-labelledby': 'charts-h' }, h('h2', { id: 'charts-h' }, 'Charts'), this.charts.element),
          h(
            'section',
            { 'aria-labelledby': 'summary-h' },
            h('h2', { id: 'summary-h' }, 'Summary'),
            el.summary,
            el.timing,
          ),
          h('section', { 'aria-labelledby': 'share-h' }, h('h2', { id: 'share-h' }, 'Share and download'), el.share),
          this.stored.element,
          h('section', { 'aria-labelledby': 'sources-h' }, h('h2', { id: 'sources-h' }, 'Sources cited'), el.sources),
        ),
      ),
      h(
        'footer',
        {},
        h('p', {}, SCOPE_LINE),
        h(
          'p',
          {},
          'Results are identical to the command line’s for the same scenario and seed: download the scenario and run it with ',
          h('code', {}, 'npx panopticon run FILE'),
          '.',
        ),
      ),
    );
    this.renderAll();
    void this.stored.load();
  }

  /** Start the scenario(s) as set, when valid. */
  autostart(): void {
    if (this.validate('a').lines.length === 0 && (!this.state.b || this.validate('b').lines.length === 0)) this.run();
  }

  // ---- state changes -------------------------------------------------------------------

  private side(letter: Letter): Side | null {
    return letter === 'a' ? this.state.a : this.state.b;
  }

  private setState(next: ExplorerState, options: { rebuildForm?: boolean } = {}): void {
    this.state = next;
    const hash = `#${encodeShare(this.catalog, next)}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
    if (options.rebuildForm) this.renderAll();
    else {
      this.renderGallery();
      this.renderSettings();
      this.refreshForm();
      this.renderShare();
      this.renderStale();
      this.renderButtons();
    }
  }

  private setParam(letter: Letter, path: string, value: unknown): void {
    const side = this.side(letter);
    if (!side) return;
    const next = { ...side, params: setAt(side.params, path, value) };
    this.setState(letter === 'a' ? { ...this.state, a: next } : { ...this.state, b: next });
  }

  private setSettings(patch: Partial<Settings>): void {
    this.setState({ ...this.state, settings: { ...this.state.settings, ...patch } });
  }

  private choosePreset(name: string): void {
    const letter = this.editing;
    const side = this.side(letter);
    if (!side || side.preset === name) return;
    const changes = changedParams(this.catalog, side, this.state.settings).filter(([p]) => p !== AGENTS_PATH);
    const apply = (): void => {
      const preset = presetOrThrow(this.catalog, name);
      const fresh = sideOf(preset);
      if (letter === 'a') {
        // A preset of another model cannot be compared with the old second scenario.
        const b =
          this.state.b && presetOrThrow(this.catalog, this.state.b.preset).model === preset.model ? this.state.b : null;
        const settings =
          presetOrThrow(this.catalog, side.preset).model === preset.model
            ? { ...this.state.settings, steps: preset.steps }
            : defaultSettings(preset);
        this.setState({ a: fresh, b, settings }, { rebuildForm: true });
      } else this.setState({ ...this.state, b: fresh }, { rebuildForm: true });
    };
    if (changes.length === 0) return apply();
    this.confirm(
      `Switch scenario ${letter.toUpperCase()} to ${name}?`,
      `Your ${changes.length} changed parameter${changes.length === 1 ? '' : 's'} (${changes
        .slice(0, 6)
        .map(([p]) => p)
        .join(
          ', ',
        )}${changes.length > 6 ? ', …' : ''}) will be replaced by the preset's values. Copy the share link first to keep them.`,
      `Switch to ${name}`,
      apply,
    );
  }

  private setCompare(on: boolean): void {
    if (on && !this.state.b) {
      const a = presetOrThrow(this.catalog, this.state.a.preset);
      const other =
        this.catalog.names.find((n) => n !== a.name && presetOrThrow(this.catalog, n).model === a.model) ?? a.name;
      this.editing = 'b';
      this.setState({ ...this.state, b: sideOf(presetOrThrow(this.catalog, other)) }, { rebuildForm: true });
    } else if (!on && this.state.b) {
      this.sessions.b?.stop();
      this.sessions.b = null;
      this.ranDocs.b = null;
      this.editing = 'a';
      this.setState({ ...this.state, b: null }, { rebuildForm: true });
      this.renderResults();
    }
  }

  private followLink(): void {
    const current = `#${encodeShare(this.catalog, this.state)}`;
    if (location.hash === current) return;
    const decoded = decodeShare(this.catalog, location.hash, DEFAULT_PRESET);
    fill(this.el.notices);
    if (decoded.problems.length)
      this.notice('The link asked for things the page could not apply:', decoded.problems, 'link');
    this.editing = 'a';
    this.setState(decoded.state, { rebuildForm: true });
    this.autostart();
  }

  private openStoredScenario(doc: Tree): void {
    const preset = typeof doc.preset === 'string' ? this.catalog.get(doc.preset) : undefined;
    const model = typeof doc.model === 'string' ? doc.model : '?';
    if (!preset || preset.model.name !== model) {
      this.notice('This stored run cannot be re-run here:', [
        `it starts from ${preset ? `preset ${preset.name} of another model` : `no preset the page knows (${String(doc.preset ?? 'none')})`}; download its scenario from the store instead`,
      ]);
      return;
    }
    const params = (doc.params ?? {}) as Tree;
    const agents = getAt(params, AGENTS_PATH);
    this.editing = 'a';
    this.sessions.b?.stop();
    this.setState(
      {
        a: { preset: preset.name, params },
        b: null,
        settings: {
          seed: Number(doc.seed),
          steps: Number(doc.steps),
          agents: typeof agents === 'number' ? agents : this.state.settings.agents,
        },
      },
      { rebuildForm: true },
    );
    this.run();
  }

  // ---- validation ----------------------------------------------------------------------

  private validate(letter: Letter): Problems {
    const side = this.side(letter);
    const byPath = new Map<string, string[]>();
    const lines: string[] = [];
    if (!side) return { byPath, lines };
    const preset = presetOrThrow(this.catalog, side.preset);
    const params = runDocument(this.catalog, side, this.state.settings).params as Tree;
    const parsed = preset.model.params.safeParse(params);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [line] = formatIssues([issue], preset.model.params, params, []);
        const path = issue.path.map(String).join('.');
        const list = byPath.get(path) ?? [];
        list.push(line);
        byPath.set(path, list);
        lines.push(line);
      }
    }
    const s = this.state.settings;
    if (!Number.isSafeInteger(s.seed) || s.seed < 0) lines.push(`seed: got ${s.seed}; allowed: a whole number ≥ 0`);
    if (!Number.isSafeInteger(s.steps) || s.steps < 1) lines.push(`days: got ${s.steps}; allowed: a whole number ≥ 1`);
    return { byPath, lines };
  }

  // ---- rendering -----------------------------------------------------------------------

  private renderAll(): void {
    this.renderGallery();
    this.renderSettings();
    this.renderButtons();
    this.renderTabs();
    this.renderForm();
    this.renderShare();
    this.renderSources();
    this.renderStale();
    this.renderResults();
  }

  private renderGallery(): void {
    const side = this.side(this.editing)!;
    const current = presetOrThrow(this.catalog, side.preset);
    this.el.galleryNote.textContent = this.state.b
      ? `Choosing a preset sets scenario ${this.editing.toUpperCase()} (the one being edited). A comparison pairs presets of one model.`
      : 'Choose a documented regime, or one of Epstein’s runs. Every number cites its source or says “assumption”.';
    const cards = this.catalog.names.map((name) => {
      const p = presetOrThrow(this.catalog, name);
      const selectable = !this.state.b || this.editing === 'a' || p.model === current.model;
      const ids = citedIds(p);
      return h(
        'article',
        { class: `card${name === side.preset ? ' selected' : ''}`, role: 'listitem', 'data-preset': name },
        h(
          'button',
          {
            type: 'button',
            class: 'card-pick',
            'aria-pressed': name === side.preset ? 'true' : 'false',
            disabled: !selectable,
            onclick: () => this.choosePreset(name),
          },
          h('span', { class: 'card-name' }, name),
          h('span', { class: 'card-model' }, p.model.label),
        ),
        h('p', { class: 'card-desc' }, p.description),
        h(
          'details',
          { class: 'card-sources' },
          h(
            'summary',
            {},
            `Sources: ${ids.filter((id) => id !== ASSUMPTION).join(', ') || 'none'}${ids.includes(ASSUMPTION) ? ' + assumptions' : ''}`,
          ),
          h('ul', {}, ...ids.map((id) => h('li', {}, h('strong', {}, id), ' — ', citationText(id)))),
        ),
      );
    });
    fill(this.el.gallery, cards);
  }

  private renderSettings(): void {
    const s = this.state.settings;
    const model = presetOrThrow(this.catalog, this.state.a.preset).model;
    const number = (id: string, label: string, value: number, min: number, help: string, set: (n: number) => void) => {
      const input = h('input', { type: 'number', id, min, step: 1, value, 'aria-describedby': `${id}-help` });
      input.addEventListener('change', () => set(input.value.trim() === '' ? NaN : Number(input.value)));
      return h(
        'div',
        { class: 'setting' },
        h('label', { for: id }, label),
        input,
        h('div', { class: 'about', id: `${id}-help` }, help),
      );
    };
    const compare = h('input', { type: 'checkbox', id: 'compare', checked: this.state.b !== null });
    compare.addEventListener('change', () => this.setCompare(compare.checked));
    const focusedId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
    fill(
      this.el.settings,
      model.scalable
        ? number(
            'agents',
            'Residents',
            s.agents,
            1,
            'synthetic residents (100 k answers in about a second or two)',
            (n) => this.setSettings({ agents: n }),
          )
        : null,
      number(
        'days',
        model.scalable ? 'Days' : 'Ticks',
        s.steps,
        1,
        model.scalable ? 'one tick is one day' : 'steps of the model',
        (n) => this.setSettings({ steps: n }),
      ),
      number(
        'seed',
        'Seed',
        s.seed,
        0,
        this.state.b ? 'both scenarios use it: common random numbers' : 'same seed, same numbers',
        (n) => this.setSettings({ seed: n }),
      ),
      h(
        'div',
        { class: 'setting compare' },
        h('label', { for: 'compare' }, compare, ' Compare with a second scenario'),
      ),
    );
    if (focusedId) (document.getElementById(focusedId) as HTMLElement | null)?.focus();
  }

  private renderButtons(): void {
    const sessions = this.liveSessions();
    const running = sessions.some((s) => s.status === 'running' || s.status === 'starting');
    const paused = sessions.length > 0 && sessions.every((s) => s.status === 'paused');
    const invalid =
      this.validate('a').lines.length > 0 || (this.state.b !== null && this.validate('b').lines.length > 0);
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.action : undefined;
    const button = (action: string, label: string, disabled: boolean, onclick: () => void, title: string) =>
      h('button', { type: 'button', 'data-action': action, disabled, onclick, title }, label);
    fill(
      this.el.buttons,
      button(
        'run',
        paused ? 'Resume' : 'Run',
        running || invalid,
        () => (paused ? this.resume() : this.run()),
        'run the scenario to its last day',
      ),
      button('pause', 'Pause', !running, () => this.pause(), 'pause after the current day'),
      button('step', 'Step', running || invalid, () => this.step(), 'run one more day, then pause'),
      button(
        'reset',
        'Reset',
        sessions.length === 0 && this.sessions.a === null,
        () => this.reset(),
        'stop and clear the results',
      ),
    );
    if (focused) (this.el.buttons.querySelector(`[data-action="${focused}"]`) as HTMLElement | null)?.focus();
    const problems = [...this.validate('a').lines.map((l) => (this.state.b ? `A: ${l}` : l))];
    if (this.state.b) problems.push(...this.validate('b').lines.map((l) => `B: ${l}`));
    fill(
      this.el.problems,
      problems.length
        ? [
            h('strong', {}, `${problems.length} problem${problems.length === 1 ? '' : 's'} to fix before running:`),
            h('ul', {}, ...problems.map((p) => h('li', {}, p))),
          ]
        : [],
    );
  }

  private renderTabs(): void {
    if (!this.state.b) {
      fill(this.el.tabs);
      return;
    }
    const tab = (letter: Letter) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-${letter}`,
          'aria-selected': this.editing === letter ? 'true' : 'false',
          'aria-controls': 'form-panel',
          onclick: () => {
            this.editing = letter;
            this.renderAll();
          },
        },
        `${letter.toUpperCase()}: ${this.side(letter)!.preset}`,
      );
    fill(this.el.tabs, tab('a'), tab('b'));
  }

  private renderForm(): void {
    const letter = this.editing;
    const side = this.side(letter)!;
    const preset = presetOrThrow(this.catalog, side.preset);
    const groups: FieldGroup[] = formOf(preset.model.params, preset.model.scalable ? [AGENTS_PATH] : []);
    const form = renderForm(groups, {
      preset,
      side: letter,
      params: () => this.side(letter)!.params,
      set: (path, value) => this.setParam(letter, path, value),
    });
    this.forms[letter] = { preset: side.preset, form };
    this.forms[letter === 'a' ? 'b' : 'a'] = null;
    fill(
      this.el.form,
      h(
        'div',
        {
          id: 'form-panel',
          role: this.state.b ? 'tabpanel' : null,
          'aria-labelledby': this.state.b ? `tab-${letter}` : null,
        },
        h('p', { class: 'form-note' }, this.formNote(preset, letter)),
        form.element,
      ),
    );
    this.refreshForm();
  }

  private formNote(preset: PresetInfo, letter: Letter): string {
    const n = changedParams(this.catalog, this.side(letter)!, this.state.settings).filter(
      ([p]) => p !== AGENTS_PATH,
    ).length;
    return `${this.state.b ? `Scenario ${letter.toUpperCase()}: ` : ''}${preset.name} (${preset.model.label}), ${n} parameter${n === 1 ? '' : 's'} changed. Each control shows its source id, “assumption”, or the preset’s value it replaces.`;
  }

  private refreshForm(): void {
    const entry = this.forms[this.editing];
    if (!entry) return;
    const side = this.side(this.editing)!;
    if (entry.preset !== side.preset) return this.renderForm();
    entry.form.refresh(this.validate(this.editing).byPath);
    const note = this.el.form.querySelector('.form-note');
    if (note) note.textContent = this.formNote(presetOrThrow(this.catalog, side.preset), this.editing);
  }

  private renderShare(): void {
    const url = `${location.origin}${location.pathname}#${encodeShare(this.catalog, this.state)}`;
    const link = h('input', { type: 'text', readonly: true, value: url, id: 'share-url', 'aria-label': 'share link' });
    const copy = h('button', { type: 'button', 'data-action': 'copy-link' }, 'Copy link');
    copy.addEventListener('click', () => {
      link.select();
      void navigator.clipboard?.writeText(url).then(
        () => (copy.textContent = 'Copied'),
        () => (copy.textContent = 'Select and copy'),
      );
    });
    const downloads = (['a', 'b'] as const).flatMap((letter) => {
      const side = this.side(letter);
      if (!side) return [];
      const tag = this.state.b ? ` ${letter.toUpperCase()}` : '';
      const session = this.sessions[letter];
      return [
        h(
          'button',
          { type: 'button', 'data-action': `yaml-${letter}`, onclick: () => void this.downloadYaml(letter) },
          `Scenario${tag} (YAML)`,
        ),
        h(
          'button',
          {
            type: 'button',
            'data-action': `csv-${letter}`,
            disabled: !session || session.ticks === 0,
            onclick: () => this.downloadCsv(letter),
          },
          `Metrics${tag} (CSV)`,
        ),
      ];
    });
    fill(
      this.el.share,
      h(
        'p',
        {},
        'This link reproduces the same numbers, bit for bit: preset, every changed parameter, days, residents and seed.',
      ),
      h('div', { class: 'share-row' }, link, copy),
      h('div', { class: 'downloads' }, ...downloads),
      h(
        'p',
        { class: 'about' },
        'The YAML file runs with ',
        h('code', {}, 'npx panopticon run FILE'),
        '; the CSV has the columns of ',
        h('code', {}, 'panopticon export RUN --format csv'),
        ' (run_id reads “explorer”).',
      ),
    );
  }

  private renderSources(): void {
    const presets = [this.state.a, this.state.b]
      .filter((s): s is Side => s !== null)
      .map((s) => presetOrThrow(this.catalog, s.preset));
    const ids = [...new Set(presets.flatMap((p) => citedIds(p)))];
    fill(
      this.el.sources,
      h(
        'p',
        {},
        `Cited by ${presets.map((p) => p.name).join(' and ')}. “assumption” marks a number no source supports.`,
      ),
      h(
        'ul',
        { class: 'citations' },
        ...ids.map((id) => h('li', { id: `cite-${id}` }, h('strong', {}, id), ' — ', citationText(id))),
      ),
    );
  }

  private renderStale(): void {
    const stale = (['a', 'b'] as const).filter((l) => {
      const side = this.side(l);
      return (
        side &&
        this.ranDocs[l] !== null &&
        this.ranDocs[l] !== JSON.stringify(runDocument(this.catalog, side, this.state.settings))
      );
    });
    this.el.stale.hidden = stale.length === 0;
    this.el.stale.textContent = stale.length
      ? `The results shown are from earlier settings of ${stale.map((l) => (this.state.b ? l.toUpperCase() : 'this scenario')).join(' and ')}: press Run to update them.`
      : '';
  }

  /**
   * `kind` 'link': what a share link asked for and did not get stays until dismissed or the
   * next link, so the run the link starts at once cannot clear it before it is read.
   */
  private notice(title: string, lines: readonly string[], kind: 'link' | 'other' = 'other'): void {
    this.el.notices.append(
      h(
        'div',
        { class: 'notice', 'data-kind': kind },
        h('strong', {}, title),
        h('ul', {}, ...lines.map((l) => h('li', {}, l))),
        h(
          'button',
          {
            type: 'button',
            class: 'dismiss',
            onclick: (e: Event) => (e.target as HTMLElement).parentElement?.remove(),
          },
          'Dismiss',
        ),
      ),
    );
  }

  private confirm(title: string, text: string, yes: string, then: () => void): void {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-h' });
    const close = () => {
      dialog.close();
      dialog.remove();
    };
    dialog.append(
      h('h2', { id: 'confirm-h' }, title),
      h('p', {}, text),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', 'data-action': 'confirm', onclick: () => (close(), then()) }, yes),
        h('button', { type: 'button', 'data-action': 'cancel', onclick: close }, 'Cancel'),
      ),
    );
    document.body.append(dialog);
    dialog.showModal();
  }

  // ---- running -------------------------------------------------------------------------

  private liveSessions(): RunSession[] {
    return (['a', 'b'] as const).map((l) => this.sessions[l]).filter((s): s is RunSession => s !== null && s.active);
  }

  private start(paused: boolean, stepBudget: number): void {
    for (const l of ['a', 'b'] as const) this.sessions[l]?.stop();
    for (const n of this.el.notices.querySelectorAll('.notice:not([data-kind="link"])')) n.remove();
    const letters: Letter[] = this.state.b ? ['a', 'b'] : ['a'];
    const cores = Math.max(1, navigator.hardwareConcurrency || 1);
    // Two scenarios run side by side, each on half the cores: results do not depend on it.
    const threads = Math.max(1, Math.floor(cores / letters.length));
    this.sessions = { a: null, b: null };
    for (const l of letters) {
      const doc = runDocument(this.catalog, this.side(l)!, this.state.settings);
      const session = new RunSession(doc, { threads, paused, stepBudget });
      this.sessions[l] = session;
      this.ranDocs[l] = JSON.stringify(doc);
      session.onChange(() => this.onProgress());
    }
    this.charts.reset();
    this.renderStale();
    // At once, not on the next frame: the status must never show the previous run's end.
    this.renderProgress();
    this.onProgress();
  }

  run(): void {
    this.start(false, 0);
  }

  private resume(): void {
    for (const s of this.liveSessions()) s.resume();
    this.renderButtons();
  }

  private pause(): void {
    for (const s of this.liveSessions()) s.pause();
  }

  private step(): void {
    const live = this.liveSessions();
    if (live.length) for (const s of live) s.step();
    else this.start(true, 1);
  }

  private reset(): void {
    for (const l of ['a', 'b'] as const) this.sessions[l]?.stop();
    this.sessions = { a: null, b: null };
    this.ranDocs = { a: null, b: null };
    this.charts.reset();
    this.renderAll();
  }

  private frame = 0;
  /** What the buttons and downloads last showed: redrawn only when it changes, not every tick. */
  private shown = '';
  private onProgress(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderProgress();
      const sessions = (['a', 'b'] as const).map((l) => this.sessions[l]);
      const shown = sessions.map((s) => (s ? `${s.status}:${s.ticks > 0}` : '-')).join('|');
      if (shown !== this.shown) {
        this.shown = shown;
        this.renderButtons();
        this.renderShare();
      }
      this.renderResults();
    });
  }

  private renderProgress(): void {
    const sessions = (['a', 'b'] as const).map((l) => this.sessions[l]).filter((s): s is RunSession => s !== null);
    if (!sessions.length) {
      this.el.progress.value = 0;
      this.el.status.textContent = 'Not run yet.';
      return;
    }
    const total = sessions.reduce((n, s) => n + (s.info ? s.info.steps + 1 : 1), 0);
    const done = sessions.reduce((n, s) => n + s.ticks, 0);
    this.el.progress.max = total;
    this.el.progress.value = done;
    const failed = sessions.find((s) => s.status === 'failed');
    if (failed) {
      this.el.status.textContent = '';
      this.notice('The run failed:', failed.problems.length ? failed.problems : [failed.error ?? 'unknown error']);
      for (const s of sessions) if (s.status === 'failed') s.problems = [];
      return;
    }
    const s0 = sessions[0];
    const day = Math.max(0, Math.min(...sessions.map((s) => s.ticks)) - 1);
    const steps = s0.info?.steps ?? this.state.settings.steps;
    const state = sessions.every((s) => s.status === 'done')
      ? 'done'
      : sessions.some((s) => s.status === 'stopped')
        ? 'stopped'
        : sessions.every((s) => s.status === 'paused')
          ? 'paused'
          : s0.ticks === 0
            ? 'synthesizing the population'
            : 'running';
    const who = s0.info
      ? `${fmt(s0.info.agents)} agents, ${s0.info.threads} worker${s0.info.threads === 1 ? '' : 's'}${s0.info.shared ? '' : ' (no shared memory here: one thread)'}${sessions.length > 1 ? ' per scenario' : ''}`
      : '';
    this.el.status.textContent = `Day ${day} of ${steps}: ${state}. ${who}`;
    this.el.status.dataset.state = state;
    if (state === 'done') {
      const parts = sessions.map(
        (s, i) =>
          `${sessions.length > 1 ? `${'AB'[i]}: ` : ''}population synthesized in ${(s.initMs / 1000).toFixed(2)} s, ${steps} days in ${(s.stepMs / 1000).toFixed(2)} s`,
      );
      this.el.timing.textContent = `Timing in this browser: ${parts.join('; ')}.`;
    } else this.el.timing.textContent = '';
  }

  private renderResults(): void {
    const sessions = (['a', 'b'] as const).flatMap((l) => {
      const s = this.sessions[l];
      return s && s.info && s.metrics.length ? [{ letter: l.toUpperCase(), session: s, info: s.info }] : [];
    });
    const sources: ChartSource[] = sessions.map(({ letter, session, info }) => ({
      letter,
      label: String(session.doc.preset),
      model: String(session.doc.model),
      agents: info.agents,
      params: session.doc.params as Tree,
      ...(isIsoDate(session.doc.start) ? { start: session.doc.start } : {}),
      headline: info.headline,
      ...(info.comparison ? { comparison: info.comparison } : {}),
      metrics: session.metrics,
      ticks: session.ticks,
      expectedTicks: info.steps + 1,
      firstTick: 0,
      values: () => session.values(),
      done: session.status === 'done',
    }));
    if (sources.length) this.charts.update(sources);
    else fill(this.el.summary, h('p', {}, 'Run a scenario to see its numbers.'));
  }

  // ---- downloads -----------------------------------------------------------------------

  private async downloadYaml(letter: Letter): Promise<void> {
    const side = this.side(letter);
    if (!side) return;
    const text = await scenarioFileText(this.catalog, side, this.state.settings);
    download(`${side.preset}-explorer.yaml`, text, 'application/yaml');
  }

  private downloadCsv(letter: Letter): void {
    const session = this.sessions[letter];
    const side = this.side(letter);
    if (!session || !side) return;
    download(
      `${side.preset}-metrics.csv`,
      metricsCsv('explorer', session.metrics, session.values(), session.ticks),
      'text/csv',
    );
  }

  /** For tests and the benchmark: the current runs' rows, exactly. */
  snapshot(
    letter: Letter,
  ): { status: string; metrics: readonly { name: string; key: string }[]; ticks: number; values: number[] } | null {
    const s = this.sessions[letter];
    return s ? { status: s.status, metrics: s.metrics, ticks: s.ticks, values: Array.from(s.values()) } : null;
  }

  csv(letter: Letter): string | null {
    const s = this.sessions[letter];
    return s ? metricsCsv('explorer', s.metrics, s.values(), s.ticks) : null;
  }
}
