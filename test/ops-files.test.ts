import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Histogram, Summary } from 'prom-client';
import { parse } from 'yaml';
import { GatewayMetrics } from '../src/metrics/metrics.ts';

/** Every series name `/metrics` can serve, with the labels each carries. */
function knownSeries(): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  const metrics = new GatewayMetrics();
  // The breaker gauge exists once the gateway hands its sources over.
  metrics.watchBreakers([]);
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const labels = new Set([...((metric as { labelNames?: string[] }).labelNames ?? []), 'instance', 'job']);
    const histogram = metric instanceof Histogram;
    series.set(metric.name, labels);
    if (histogram) {
      series.set(`${metric.name}_bucket`, new Set([...labels, 'le']));
      series.set(`${metric.name}_count`, labels);
      series.set(`${metric.name}_sum`, labels);
    }
    if (metric instanceof Summary) {
      series.set(`${metric.name}_count`, labels);
      series.set(`${metric.name}_sum`, new Set([...labels, 'quantile']));
    }
  }
  return series;
}

/** Each `switchyard_*` selector in a PromQL expression: its metric and the label names it matches on. */
function selectors(expr: string): { metric: string; labels: string[] }[] {
  return [...expr.matchAll(/\b(switchyard_[a-z0-9_]+)(\{([^}]*)\})?/g)].map((m) => ({
    metric: m[1] ?? '',
    labels: [...(m[3] ?? '').matchAll(/([a-z_]+)\s*(=~|!=|!~|=)/g)].map((l) => l[1] ?? ''),
  }));
}

function checkExpressions(exprs: readonly string[]): void {
  const series = knownSeries();
  const seen: string[] = [];
  for (const expr of exprs) {
    const found = selectors(expr);
    expect(found.length, expr).toBeGreaterThan(0);
    for (const { metric, labels } of found) {
      seen.push(metric);
      expect(series.has(metric), `${metric} in ${expr}`).toBe(true);
      for (const label of labels)
        expect(series.get(metric)?.has(label), `${metric}{${label}} in ${expr}`).toBe(true);
    }
  }
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync('ops/grafana/switchyard-dashboard.json', 'utf8')) as {
    __inputs: { name: string; type: string; pluginId: string }[];
    panels: {
      id: number;
      type: string;
      gridPos: { h: number; w: number; x: number; y: number };
      datasource?: { uid: string };
      targets?: { expr: string; datasource: { uid: string } }[];
    }[];
  };

  it('imports with a Prometheus data source chosen at import time', () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid).toBe('${DS_PROMETHEUS}');
      for (const target of panel.targets ?? []) expect(target.datasource.uid).toBe('${DS_PROMETHEUS}');
    }
  });

  it('queries only metrics and labels the gateway exposes', () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(20);
    checkExpressions(exprs);
  });

  it('has unique panel ids and panels that do not overlap', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x += 1) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y += 1) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

describe('the Prometheus alerting rules', () => {
  const rules = parse(readFileSync('ops/prometheus/switchyard-alerts.yml', 'utf8')) as {
    groups: {
      name: string;
      rules: { alert: string; expr: string; for: string; labels: { severity: string } }[];
    }[];
  };

  it('alert only on metrics and labels the gateway exposes, each with a severity', () => {
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.length).toBeGreaterThanOrEqual(7);
    checkExpressions(all.map((r) => r.expr));
    for (const rule of all) {
      expect(rule.alert).toMatch(/^Switchyard[A-Za-z]+$/);
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.for).toMatch(/^\d+m$/);
    }
  });
});
