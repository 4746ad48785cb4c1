import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { localPrometheusConfig } from './prometheus-config';

interface PromConfig {
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: { job_name: string; static_configs?: { targets: string[] }[]; file_sd_configs?: { files: string[] }[] }[];
  global: Record<string, unknown>;
}

describe('localPrometheusConfig', () => {
  const template = readFileSync(join(__dirname, '..', '..', 'prometheus', 'prometheus.yml'), 'utf8');
  const config = parse(
    localPrometheusConfig(template, {
      prometheusPort: 29090,
      alertmanagerPort: 29093,
      ruleFilesGlob: '/repo/alerts/*.yml',
      targetFilesGlob: '/repo/.stack/conf/prometheus/targets/*.json',
    }),
  ) as PromConfig;
  const job = (name: string) => config.scrape_configs.find((s) => s.job_name === name);

  it('loads the repo alert rules by absolute path', () => {
    expect(config.rule_files).toEqual(['/repo/alerts/*.yml']);
  });

  it('adds the test rules folder after the repo rules when given', () => {
    const withTests = parse(
      localPrometheusConfig(template, {
        prometheusPort: 29090,
        alertmanagerPort: 29093,
        ruleFilesGlob: '/repo/alerts/*.yml',
        targetFilesGlob: '/repo/.stack/conf/prometheus/targets/*.json',
        testRuleFilesGlob: '/repo/.stack/conf/prometheus/rules/*.yml',
      }),
    ) as PromConfig;
    expect(withTests.rule_files).toEqual(['/repo/alerts/*.yml', '/repo/.stack/conf/prometheus/rules/*.yml']);
  });

  it('points alerting and the self scrapes at 127.0.0.1 ports', () => {
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['127.0.0.1:29093']);
    expect(job('prometheus')?.static_configs?.[0]?.targets).toEqual(['127.0.0.1:29090']);
    expect(job('alertmanager')?.static_configs?.[0]?.targets).toEqual(['127.0.0.1:29093']);
  });

  it('discovers the apps from target files in the stack dir', () => {
    expect(job('stylestream')?.file_sd_configs?.[0]?.files).toEqual(['/repo/.stack/conf/prometheus/targets/*.json']);
  });

  it('keeps everything else of the template', () => {
    expect(config.global.scrape_interval).toBe('15s');
    expect(config.scrape_configs.map((s) => s.job_name)).toEqual(['prometheus', 'alertmanager', 'stylestream']);
  });
});
