import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** For the config unit tests: the keys every sink config needs, and a file holding a config text. */
export const BASE_CONFIG = `sinkName: s
target: { url: "mysql://u:p@h:3306/" }
kafka: { brokers: ["k:9092"] }
schemaRegistry: { url: "http://r/" }
`;

export function configFileOf(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'sink-cfg-')), 'c.yaml');
  writeFileSync(f, text);
  return f;
}
