import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BATCH_OVERHEAD_BYTES,
  captureStatusTopic,
  checkpointTopic,
  heartbeatTopic,
  schemaChangeTopic,
  tableTopic,
} from '@sluice/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { crdForms, fromCrd, type Json, mapSchemas, schemaFileName, strict } from '../../deploy/k8s/tools/json-schemas.ts';
import { CAPTURE_ENV, loadCaptureConfig } from '../../services/capture/src/config.ts';
import { loadSinkConfig, SINK_ENV } from '../../services/sink/src/config.ts';
import { serviceNodeFlags } from '../support/services.ts';

/**
 * The Kubernetes manifests (deploy/k8s/, docs/deploy.md): every overlay renders with kustomize and
 * passes kubeconform -strict against the schemas of Kubernetes, Strimzi's KafkaTopic and the
 * ServiceMonitor (made by deploy/local/install/k8s-tools.sh, which `make install` runs); then
 * what the schemas cannot say: probes on the port the config serves, config from the ConfigMap
 * and accepted by the real loaders, secrets only from Secrets, sizing, scraping, the topics.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const OVERLAYS = ['example', 'example-prometheus-operator', 'strimzi-topics'];
const INSTALL =
  'Install them with `make install`, or alone with `bash deploy/local/install/k8s-tools.sh` ' +
  '(about a minute once; cached in ~/.cache/sluice/k8s-tools; needs go >= 1.26, java and mvn).';

type Obj = Record<string, any>;
interface Tools {
  KUBECONFORM: string;
  KUSTOMIZE: string;
  K8S_SCHEMA_VERSION: string;
  SCHEMA_LOCATION_K8S: string;
  SCHEMA_LOCATION_CRDS: string;
}

/** The installed tools, or an error saying how to install them (never a silent skip). */
function installedTools(): Tools {
  const check = spawnSync('bash', [join(root, 'deploy/local/install/k8s-tools.sh'), '--check'], { encoding: 'utf8' });
  if (check.status !== 0) {
    throw new Error(
      `kustomize, kubeconform or their JSON schemas are not installed (or out of date):\n${check.stdout}${check.stderr}${INSTALL}`,
    );
  }
  const lines = readFileSync(check.stdout.trim(), 'utf8').split('\n').filter(Boolean);
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) as unknown as Tools;
}

let tools: Tools;
let work: string;
const rendered: Record<string, string> = {};
const docs: Record<string, Obj[]> = {};

/** kubeconform -strict -summary over YAML texts: its exit status and output. */
function kubeconform(files: Record<string, string>): { status: number | null; output: string } {
  const paths = Object.entries(files).map(([name, text]) => {
    const p = join(work, `${name}.yaml`);
    writeFileSync(p, text);
    return p;
  });
  const r = spawnSync(
    tools.KUBECONFORM,
    [
      '-strict',
      '-summary',
      '-kubernetes-version',
      tools.K8S_SCHEMA_VERSION,
      '-schema-location',
      tools.SCHEMA_LOCATION_K8S,
      '-schema-location',
      tools.SCHEMA_LOCATION_CRDS,
      ...paths,
    ],
    { encoding: 'utf8' },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const ofKind = (list: Obj[], kind: string) => list.filter((d) => d.kind === kind);
const named = (list: Obj[], kind: string, name: string): Obj => {
  const d = list.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`no ${kind} ${name}`);
  return d;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The container of a Deployment and the config file it is started with, read from its ConfigMap. */
function configOf(all: Obj[], dep: Obj): { container: Obj; file: string; text: string; configMap: Obj } {
  const pod = dep.spec.template.spec;
  const container = pod.containers[0];
  const args: string[] = container.command;
  const file = args[args.indexOf('--config') + 1] as string;
  const mount = (container.volumeMounts as Obj[]).find((m) => file.startsWith(`${m.mountPath}/`));
  if (!mount) throw new Error(`${dep.metadata.name}: --config ${file} is on no volume`);
  const volume = (pod.volumes as Obj[]).find((v) => v.name === mount.name);
  const configMap = named(all, 'ConfigMap', volume?.configMap?.name);
  const text = configMap.data[file.slice(mount.mountPath.length + 1)];
  if (typeof text !== 'string') throw new Error(`${dep.metadata.name}: ConfigMap ${configMap.metadata.name} has no ${file}`);
  return { container, file, text, configMap };
}

const kindOf = (dep: Obj): 'capture' | 'sink' => dep.spec.template.metadata.labels['app.kubernetes.io/component'];

/** Kubernetes quantities in bytes or cores. */
function quantity(q: string): number {
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|k|M|G)?$/.exec(String(q));
  if (!m) throw new Error(`quantity ${q}`);
  const unit = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

// Variables that carry a secret (URLs with passwords, passwords, the mask salt): only from a Secret.
const SECRET_ENV = /PASSWORD|SALT|^SLUICE_(SOURCE|TARGET)_URL$/;
const PLACEHOLDER: Record<string, string> = {
  SLUICE_SOURCE_URL: 'mysql://sluice:secret@source.db:3306/',
  SLUICE_TARGET_URL: 'mysql://sluice:secret@target.db:4000/',
  SLUICE_MASK_SALT: 'a-salt-of-at-least-16-characters',
};

describe('Kubernetes manifests (deploy/k8s)', () => {
  beforeAll(() => {
    tools = installedTools();
    work = mkdtempSync(join(tmpdir(), 'k8s-manifests-'));
    for (const o of OVERLAYS) {
      rendered[o] = execFileSync(tools.KUSTOMIZE, ['build', join(root, 'deploy/k8s/overlays', o)], { encoding: 'utf8' });
      docs[o] = parseAllDocuments(rendered[o]).map((d) => d.toJS() as Obj);
    }
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('renders every overlay, and kubeconform -strict finds every resource valid', () => {
    const present = readdirSync(join(root, 'deploy/k8s/overlays')).sort();
    expect(present, 'an overlay this test does not render').toEqual([...OVERLAYS].sort());
    const { status, output } = kubeconform(rendered);
    const total = OVERLAYS.reduce((n, o) => n + (docs[o]?.length ?? 0), 0);
    expect(output).toContain(
      `Summary: ${total} resources found in ${OVERLAYS.length} files - Valid: ${total}, Invalid: 0, Errors: 0, Skipped: 0`,
    );
    expect(status).toBe(0);
  });

  it('kubeconform refuses a misspelled or mistyped field in a Deployment, a KafkaTopic and a ServiceMonitor', () => {
    const all = docs['example-prometheus-operator'] as Obj[];
    const dep = structuredClone(named(all, 'Deployment', 'sluice-capture'));
    dep.spec.template.spec.containers[0].livenesProbe = dep.spec.template.spec.containers[0].livenessProbe;
    const typed = structuredClone(named(all, 'Deployment', 'sluice-sink-tidb'));
    typed.spec.replicas = 'one';
    const topic = structuredClone(named(docs['strimzi-topics'] as Obj[], 'KafkaTopic', 'sluice-checkpoints'));
    topic.spec.replica = 3;
    const monitor = structuredClone(ofKind(all, 'ServiceMonitor')[0] as Obj);
    monitor.spec.endpoints[0].paths = '/metrics';
    const { status, output } = kubeconform({ broken: [dep, typed, topic, monitor].map((d) => stringify(d)).join('---\n') });
    expect(status).toBe(1);
    expect(output).toContain('Summary: 4 resources found in 1 file - Valid: 0, Invalid: 4, Errors: 0');
    expect(output).toContain("additional properties 'livenesProbe' not allowed");
    expect(output).toContain("additional properties 'replica' not allowed");
    expect(output).toContain("additional properties 'paths' not allowed");
  });

  describe.each(['example', 'example-prometheus-operator'])('overlay %s', (overlay) => {
    const all = () => docs[overlay] as Obj[];
    const deployments = () => ofKind(all(), 'Deployment');

    it('runs the capture as two pods replaced all at once, under a PodDisruptionBudget', () => {
      const capture = named(all(), 'Deployment', 'sluice-capture');
      expect(capture.spec.replicas).toBe(2);
      expect(capture.spec.strategy).toEqual({ type: 'Recreate' });
      const pdbs = ofKind(all(), 'PodDisruptionBudget');
      expect(pdbs).toHaveLength(1);
      expect(matches(pdbs[0]?.spec.selector.matchLabels, capture.spec.template.metadata.labels)).toBe(true);
      expect(pdbs[0]?.spec.maxUnavailable).toBe(1);
    });

    it('runs one sink per target, each with its own pods, config and Secret', () => {
      const sinks = deployments().filter((d) => kindOf(d) === 'sink');
      expect(sinks.map((d) => d.metadata.name).sort()).toEqual(['sluice-sink-mariadb', 'sluice-sink-tidb']);
      const secrets = new Set<string>();
      for (const d of sinks) {
        expect(d.spec.replicas).toBe(1);
        expect(d.spec.strategy).toEqual({ type: 'Recreate' });
        const instance = d.spec.template.metadata.labels['app.kubernetes.io/instance'];
        const { container, text } = configOf(all(), d);
        const env = Object.fromEntries((container.env as Obj[]).map((e) => [e.name, e]));
        const cfg = parse(text);
        expect(cfg.sinkName).toBe(instance);
        expect(cfg.target.kind).toBe(instance);
        secrets.add(env.SLUICE_TARGET_URL.valueFrom.secretKeyRef.name);
      }
      expect(secrets.size).toBe(sinks.length);
      // No Deployment's selector takes another's pods, and each Service has exactly one Deployment.
      for (const a of deployments()) {
        for (const b of deployments()) {
          expect(
            matches(a.spec.selector.matchLabels, b.spec.template.metadata.labels),
            `${a.metadata.name} / ${b.metadata.name}`,
          ).toBe(a === b);
        }
      }
      for (const s of ofKind(all(), 'Service')) {
        const backing = deployments().filter((d) => matches(s.spec.selector, d.spec.template.metadata.labels));
        expect(backing.map((d) => d.metadata.name)).toEqual([s.metadata.name]);
      }
    });

    it('probes /healthz (liveness) and /readyz (readiness) on the port the service listens on, on all interfaces', () => {
      expect(deployments()).toHaveLength(3);
      for (const d of deployments()) {
        const { container, text } = configOf(all(), d);
        const http = parse(text).http;
        expect(http.host, `${d.metadata.name}: the kubelet probes from outside the pod`).toBe('0.0.0.0');
        const ports = Object.fromEntries((container.ports as Obj[]).map((p) => [p.name, p.containerPort]));
        const portOf = (probe: Obj) => (typeof probe.httpGet.port === 'number' ? probe.httpGet.port : ports[probe.httpGet.port]);
        expect(container.livenessProbe.httpGet.path).toBe('/healthz');
        expect(container.readinessProbe.httpGet.path).toBe('/readyz');
        expect(portOf(container.livenessProbe)).toBe(http.port);
        expect(portOf(container.readinessProbe)).toBe(http.port);
      }
    });

    it('reads the config file from its ConfigMap and secrets from Secrets, and the config loaders accept both', () => {
      expect(ofKind(all(), 'Secret'), 'Secrets are created apart, never rendered from these files').toEqual([]);
      const known = new Set([...CAPTURE_ENV, ...SINK_ENV].map((o) => o.env));
      for (const d of deployments()) {
        const { container, file, text } = configOf(all(), d);
        expect(text, 'no password in a ConfigMap').not.toMatch(/:\/\/[^/\s@]+:[^/\s@]+@/);
        expect(parse(text).columns?.maskSalt).toBeUndefined();
        const env: Record<string, string> = {};
        for (const e of container.env as Obj[]) {
          if (!e.name.startsWith('SLUICE_')) continue;
          expect(known, `${d.metadata.name}: ${e.name} is no config override`).toContain(e.name);
          if (SECRET_ENV.test(e.name)) {
            expect(e.value, `${d.metadata.name}: ${e.name} inline`).toBeUndefined();
            expect(e.valueFrom.secretKeyRef.name).toBeTruthy();
            env[e.name] = PLACEHOLDER[e.name] ?? '';
          } else {
            expect(e.value, `${d.metadata.name}: ${e.name} holds a password`).not.toMatch(/:\/\/[^/\s@]+:[^/\s@]+@/);
            env[e.name] = e.value;
          }
        }
        const path = join(work, `${d.metadata.name}-${file.split('/').pop()}`);
        writeFileSync(path, text);
        if (kindOf(d) === 'capture') {
          expect(Object.keys(env).sort()).toEqual(['SLUICE_MASK_SALT', 'SLUICE_SOURCE_URL']);
          expect(loadCaptureConfig(path, env).source.url).toBe(PLACEHOLDER.SLUICE_SOURCE_URL);
        } else {
          expect(Object.keys(env)).toEqual(['SLUICE_TARGET_URL']);
          expect(loadSinkConfig(path, env).target.url).toBe(PLACEHOLDER.SLUICE_TARGET_URL);
        }
      }
    });

    it('sizes requests from the bench figures and limits above the V8 heap ceiling, with the Node flags of the launchers', () => {
      // Peak RSS under load (docs/limits.md, make bench): capture about 215 MB, sinks about 270 MB.
      const peakMb = { capture: 215, sink: 270 };
      for (const d of deployments()) {
        const kind = kindOf(d);
        const container = d.spec.template.spec.containers[0];
        const flags: string = (container.env as Obj[]).find((e) => e.name === 'NODE_OPTIONS')?.value;
        expect(flags.split(' ')).toEqual(serviceNodeFlags(kind));
        const last = (name: string) => Number([...flags.matchAll(new RegExp(`--${name}=(\\d+)`, 'g'))].pop()?.[1]);
        // Old generation plus the young generation (three semi-spaces), plus 128 MiB of code and buffers.
        const heapCeiling = (last('max-old-space-size') + 3 * last('max-semi-space-size') + 128) * 2 ** 20;
        const { requests, limits } = container.resources;
        expect(quantity(requests.memory)).toBeGreaterThanOrEqual(peakMb[kind] * 1e6);
        expect(quantity(limits.memory)).toBeGreaterThanOrEqual(heapCeiling);
        // About one core while catching up (mostly one thread); room above it for GC threads.
        expect(quantity(requests.cpu)).toBeGreaterThanOrEqual(1);
        expect(quantity(limits.cpu)).toBeGreaterThan(quantity(requests.cpu));
      }
    });

    it('runs as a non-root user on a read-only root filesystem, with time to finish a transaction on SIGTERM', () => {
      for (const d of deployments()) {
        const pod = d.spec.template.spec;
        const container = pod.containers[0];
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
        expect(container.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.volumeMounts.find((m: Obj) => m.mountPath === '/tmp')).toBeTruthy();
        expect(pod.automountServiceAccountToken).toBe(false);
        // kafkajs retries for about 20 s while no broker answers; a sink's target transaction is up to 32 MiB.
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
      }
    });

    it('is scraped by Prometheus: by pod annotations, or by a ServiceMonitor with the component', () => {
      const monitors = ofKind(all(), 'ServiceMonitor');
      for (const d of deployments()) {
        const port = parse(configOf(all(), d).text).http.port;
        const a = d.spec.template.metadata.annotations;
        expect(a['prometheus.io/scrape']).toBe(monitors.length ? 'false' : 'true');
        expect(a['prometheus.io/port']).toBe(String(port));
        expect(a['prometheus.io/path']).toBe('/metrics');
      }
      if (overlay === 'example') {
        expect(monitors).toEqual([]);
        return;
      }
      expect(monitors).toHaveLength(1);
      const m = monitors[0] as Obj;
      expect(m.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
      const services = ofKind(all(), 'Service');
      expect(services.filter((s) => matches(m.spec.selector.matchLabels, s.metadata.labels))).toHaveLength(3);
      for (const s of services) {
        expect(s.spec.ports).toContainEqual(expect.objectContaining({ name: 'http', targetPort: 'http' }));
      }
      // The component changes nothing else.
      const names = (list: Obj[]) => list.map((x) => `${x.kind}/${x.metadata.name}`).sort();
      expect(names(all().filter((x) => x.kind !== 'ServiceMonitor'))).toEqual(names(docs.example as Obj[]));
    });
  });

  it('declares the Strimzi topics the capture needs, where the example capture looks for them', () => {
    const topics = docs['strimzi-topics'] as Obj[];
    const capture = named(docs.example as Obj[], 'Deployment', 'sluice-capture');
    const { text } = configOf(docs.example as Obj[], capture);
    const path = join(work, 'strimzi-capture.yaml');
    writeFileSync(path, text);
    const cfg = loadCaptureConfig(path, { SLUICE_SOURCE_URL: PLACEHOLDER.SLUICE_SOURCE_URL as string });
    for (const t of topics) {
      expect(t.apiVersion).toBe('kafka.strimzi.io/v1beta2');
      expect(t.kind).toBe('KafkaTopic');
      // The Topic Operator of cluster C in namespace N; the capture's brokers are C's bootstrap Service in N.
      expect(cfg.kafka.brokers[0]).toMatch(
        new RegExp(`^${t.metadata.labels['strimzi.io/cluster']}-kafka-bootstrap\\.${t.metadata.namespace}\\.svc:\\d+$`),
      );
    }
    const byTopic = Object.fromEntries(topics.map((t) => [t.spec.topicName, t.spec]));
    const p = cfg.topicPrefix;
    const compacted = [checkpointTopic(p), heartbeatTopic(p), captureStatusTopic(p), tableTopic(p, 'shop', 'orders')];
    expect(Object.keys(byTopic).sort()).toEqual([...compacted, schemaChangeTopic(p)].sort());
    for (const name of compacted) expect(byTopic[name].config['cleanup.policy'], name).toBe('compact');
    expect(byTopic[schemaChangeTopic(p)].config['cleanup.policy']).toBe('delete');
    for (const name of [checkpointTopic(p), heartbeatTopic(p), schemaChangeTopic(p), tableTopic(p, 'shop', 'orders')]) {
      expect(byTopic[name].config['max.message.bytes'], name).toBeGreaterThanOrEqual(cfg.maxRecordBytes + BATCH_OVERHEAD_BYTES);
      expect(byTopic[name].replicas).toBe(cfg.topics.replicationFactor);
    }
  });
});

describe('JSON schemas for kubeconform (deploy/k8s/tools/json-schemas.ts)', () => {
  it('names files as kubeconform looks them up', () => {
    expect(schemaFileName({ group: '', version: 'v1', kind: 'ConfigMap' })).toBe('configmap-v1.json');
    expect(schemaFileName({ group: 'apps', version: 'v1', kind: 'Deployment' })).toBe('deployment-apps-v1.json');
    expect(schemaFileName({ group: 'kafka.strimzi.io', version: 'v1beta2', kind: 'KafkaTopic' })).toBe(
      'kafkatopic-kafka-v1beta2.json',
    );
  });

  it('closes object schemas, except where unknown fields are kept, and leaves data and property names alone', () => {
    const schema: Json = {
      type: 'object',
      properties: {
        properties: { type: 'object', properties: { a: { type: 'string' } }, default: { properties: { x: 1 } } },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { b: { type: 'string' } } },
        list: { type: 'array', items: { type: 'object', properties: { c: { type: 'integer' } } } },
      },
    };
    expect(mapSchemas(schema, strict)).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        properties: {
          type: 'object',
          additionalProperties: false,
          properties: { a: { type: 'string' } },
          default: { properties: { x: 1 } },
        },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { b: { type: 'string' } } },
        list: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { c: { type: 'integer' } } } },
      },
    });
  });

  it('turns CRD int-or-string and nullable fields into draft-4 JSON Schema, per served version', () => {
    expect(crdForms({ 'x-kubernetes-int-or-string': true })).toEqual({
      'x-kubernetes-int-or-string': true,
      oneOf: [{ type: 'string' }, { type: 'integer' }],
    });
    expect(crdForms({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'], nullable: true });
    const openAPIV3Schema = {
      type: 'object',
      properties: { kind: { type: 'string' }, spec: { type: 'object', properties: {} } },
    };
    const files = fromCrd({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      spec: {
        group: 'example.com',
        names: { kind: 'Widget' },
        versions: [
          { name: 'v1', served: true, schema: { openAPIV3Schema } },
          { name: 'v0', served: false, schema: { openAPIV3Schema } },
        ],
      },
    });
    expect(files.map((f) => f.name)).toEqual(['widget-example-v1.json']);
    expect(files[0]?.schema.properties).toMatchObject({ kind: { enum: ['Widget'] } });
  });
});
