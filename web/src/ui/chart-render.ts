// Interim until the chart module (src/charts, reports branch) lands: a plain list.
import type { ChartSource } from './charts.js';
import { fmt, h } from './dom.js';

export async function drawFigures(host: HTMLElement, sources: readonly ChartSource[], _model: string): Promise<void> {
  host.replaceChildren(
    ...sources.map((s) => {
      const m = s.metrics.length;
      const v = s.values();
      const last = (s.ticks - 1) * m;
      return h('figure', { class: 'chart' }, h('figcaption', {}, `${s.letter} ${s.label}: ${s.ticks} ticks`),
        h('ul', {}, ...s.headline.map((name) => { const k = s.metrics.findIndex((x) => x.name === name && x.key === ''); return h('li', {}, `${name}: ${fmt(v[last + k])}`); })));
    }),
  );
}
