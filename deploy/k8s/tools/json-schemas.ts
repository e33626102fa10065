#!/usr/bin/env node
/**
 * The JSON schemas kubeconform validates the manifests with, made at install time
 * (deploy/local/install/k8s-tools.sh) from what the package registries carry: the OpenAPI v2 spec
 * of Kubernetes (api/openapi-spec/swagger.json in the Go module k8s.io/kubernetes) and the
 * CustomResourceDefinitions of the custom kinds used (Strimzi's KafkaTopic, prometheus-operator's
 * ServiceMonitor). kubeconform's default schemas come from GitHub, which this project cannot
 * reach.
 *
 * One file per kind and API version, named as kubeconform looks it up ({kind}{kindSuffix}.json,
 * lower case: `deployment-apps-v1.json`, `pod-v1.json`, `kafkatopic-kafka-v1beta2.json`), and
 * what kubeconform's own converters (openapi2jsonschema) do for its "standalone-strict" set:
 * - standalone: each file carries the definitions it uses (under `definitions`, where the spec's
 *   `$ref`s already point), so recursive types stay references;
 * - strict: an object schema that lists properties admits no other (`additionalProperties:
 *   false`), except where the spec says it keeps unknown fields
 *   (`x-kubernetes-preserve-unknown-fields`), so a misspelled or misplaced key is an error;
 * - IntOrString takes a string or an integer, Quantity a string or a number (the API server
 *   accepts `cpu: 1`); CRD fields marked `x-kubernetes-int-or-string` likewise;
 * - `apiVersion` and `kind` are pinned to the file's group, version and kind.
 * Unlike kubeconform's set, optional fields do not also admit `null`: the manifests here are
 * written by hand, and a null in them is a mistake.
 *
 * Usage: node deploy/k8s/tools/json-schemas.ts --swagger <swagger.json> --out <dir>
 *        node deploy/k8s/tools/json-schemas.ts --crd <crd.yaml> [--crd <crd.yaml>...] --out <dir>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface SchemaFile {
  /** kubeconform's file name for the kind: `{kind}{kindSuffix}.json`. */
  name: string;
  schema: JsonObject;
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * kubeconform's file name of a kind (pkg/registry/registry.go, schemaPath): the kind in lower case,
 * then `-` and the first label of the group (none for the core group), then `-` and the version.
 */
export function schemaFileName({ group, version, kind }: Gvk): string {
  const suffix = group ? `-${group.split('.')[0]}-${version}` : `-${version}`;
  return `${kind}${suffix}.json`.toLowerCase();
}

/** Keywords whose value is a map of names to schemas, a list of schemas, or one schema (or a boolean). */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_ONE = ['not', 'items', 'additionalItems', 'additionalProperties'];

/**
 * Applies `fn` to a schema and to every schema inside it, innermost first. Only schema positions
 * are visited: names under `properties` and values such as `default`, `enum` or `example` are
 * data, and stay as they are.
 */
export function mapSchemas(node: Json, fn: (schema: JsonObject) => JsonObject): Json {
  if (!isObject(node)) return node;
  const out: JsonObject = { ...node };
  for (const k of SCHEMA_MAPS) {
    const map = node[k];
    if (isObject(map)) out[k] = Object.fromEntries(Object.entries(map).map(([name, s]) => [name, mapSchemas(s, fn)]));
  }
  for (const k of [...SCHEMA_LISTS, ...SCHEMA_ONE]) {
    const v = node[k];
    if (Array.isArray(v)) out[k] = v.map((s) => mapSchemas(s, fn));
    else if (isObject(v)) out[k] = mapSchemas(v, fn);
  }
  return fn(out);
}

/** Strict: an object schema that lists its properties admits no other, unless it keeps unknown fields. */
export const strict = (schema: JsonObject): JsonObject =>
  isObject(schema.properties) && !('additionalProperties' in schema) && schema['x-kubernetes-preserve-unknown-fields'] !== true
    ? { ...schema, additionalProperties: false }
    : schema;

/** CRD schema (OpenAPI v3) forms that JSON Schema draft 4 does not know: int-or-string and nullable. */
export function crdForms(schema: JsonObject): JsonObject {
  const out = { ...schema };
  if (out['x-kubernetes-int-or-string'] === true && !('anyOf' in out) && !('oneOf' in out)) {
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/** The names of the spec definitions a schema refers to, directly or through others. */
function referencedDefinitions(root: JsonObject, definitions: JsonObject): string[] {
  const seen = new Set<string>();
  const visit = (schema: JsonObject): JsonObject => {
    const ref = schema.$ref;
    if (typeof ref === 'string') {
      const name = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
      if (name === undefined || !(name in definitions)) throw new Error(`unresolvable $ref ${ref}`);
      if (!seen.has(name)) {
        seen.add(name);
        mapSchemas(definitions[name] as Json, visit);
      }
    }
    return schema;
  };
  mapSchemas(root, visit);
  return [...seen].sort();
}

/** Pins `apiVersion` and `kind` of a top-level schema to one group, version and kind. */
function pinTypeMeta(schema: JsonObject, gvk: Gvk): JsonObject {
  if (!isObject(schema.properties)) return schema;
  const properties: JsonObject = { ...schema.properties };
  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  if (isObject(properties.apiVersion)) properties.apiVersion = { ...properties.apiVersion, enum: [apiVersion] };
  if (isObject(properties.kind)) properties.kind = { ...properties.kind, enum: [gvk.kind] };
  return { ...schema, properties };
}

const gvksOf = (def: JsonObject): Gvk[] => {
  const list = def['x-kubernetes-group-version-kind'];
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((g) => ({ group: String(g.group ?? ''), version: String(g.version), kind: String(g.kind) }));
};

/** Every kind of a Kubernetes OpenAPI v2 spec (swagger.json) as a standalone strict schema. */
export function fromSwagger(spec: JsonObject): SchemaFile[] {
  if (!isObject(spec.definitions)) throw new Error('not an OpenAPI v2 spec: no definitions');
  const definitions: JsonObject = {};
  for (const [name, def] of Object.entries({
    ...spec.definitions,
    [INT_OR_STRING]: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    [QUANTITY]: { oneOf: [{ type: 'string' }, { type: 'number' }] },
  })) {
    definitions[name] = mapSchemas(def, strict);
  }
  const files: SchemaFile[] = [];
  for (const def of Object.values(definitions)) {
    if (!isObject(def)) continue;
    for (const gvk of gvksOf(def)) {
      const root = pinTypeMeta(def, gvk);
      const used = referencedDefinitions(root, definitions);
      files.push({
        name: schemaFileName(gvk),
        schema: {
          ...root,
          type: root.type ?? 'object',
          definitions: Object.fromEntries(used.map((n) => [n, definitions[n] as Json])),
        },
      });
    }
  }
  return files;
}

/** Every served version of a CustomResourceDefinition (apiextensions.k8s.io/v1) as a strict schema. */
export function fromCrd(crd: JsonObject): SchemaFile[] {
  if (crd.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) throw new Error('not a CustomResourceDefinition');
  const { group, names, versions } = crd.spec;
  if (typeof group !== 'string' || !isObject(names) || typeof names.kind !== 'string' || !Array.isArray(versions)) {
    throw new Error('CustomResourceDefinition without group, names.kind or versions');
  }
  const files: SchemaFile[] = [];
  for (const v of versions) {
    if (!isObject(v) || v.served === false || !isObject(v.schema) || !isObject(v.schema.openAPIV3Schema)) continue;
    const gvk = { group, version: String(v.name), kind: names.kind };
    const schema = mapSchemas(v.schema.openAPIV3Schema, (s) => strict(crdForms(s))) as JsonObject;
    files.push({ name: schemaFileName(gvk), schema: pinTypeMeta(schema, gvk) });
  }
  if (!files.length) throw new Error(`CustomResourceDefinition ${names.kind} has no served version with a schema`);
  return files;
}

/** The CustomResourceDefinitions of a YAML file (one or more documents; other kinds are passed over). */
export function crdsOfYaml(text: string): JsonObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Json)
    .filter((d): d is JsonObject => isObject(d) && d.kind === 'CustomResourceDefinition');
}

function main(argv: string[]): void {
  let out: string | undefined;
  const swaggers: string[] = [];
  const crds: string[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag}: missing value`);
    if (flag === '--out') out = value;
    else if (flag === '--swagger') swaggers.push(value);
    else if (flag === '--crd') crds.push(value);
    else throw new Error(`unknown flag ${flag} (--swagger <file>, --crd <file>, --out <dir>)`);
  }
  if (!out || swaggers.length + crds.length === 0) throw new Error('usage: --out <dir> (--swagger <file> | --crd <file>)...');
  const files = [
    ...swaggers.flatMap((f) => fromSwagger(JSON.parse(readFileSync(f, 'utf8')) as JsonObject)),
    ...crds.flatMap((f) => {
      const found = crdsOfYaml(readFileSync(f, 'utf8'));
      if (!found.length) throw new Error(`${f}: no CustomResourceDefinition`);
      return found.flatMap(fromCrd);
    }),
  ];
  mkdirSync(out, { recursive: true });
  for (const f of files) writeFileSync(join(out, f.name), `${JSON.stringify(f.schema)}\n`);
  process.stdout.write(`${files.length} schemas written to ${out}\n`);
}

if (import.meta.main) main(process.argv.slice(2));
