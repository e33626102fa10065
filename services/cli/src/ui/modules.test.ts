import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROWSER_MODULES, browserModule, runtimeImports } from './modules.ts';

describe('browser modules', () => {
  it('strips the types of each served module and imports nothing at run time but other served modules', () => {
    for (const path of BROWSER_MODULES) {
      const js = browserModule(path);
      expect(js, path).toBeDefined();
      expect(js, path).not.toMatch(/^\s*(export\s+)?(interface|type)\s/m);
      for (const spec of runtimeImports(js as string)) {
        expect(spec, `${path} imports ${spec}`).toMatch(/^\.\.?\//);
        expect(BROWSER_MODULES, `${path} imports ${spec}`).toContain(posix.join(posix.dirname(path), spec));
      }
    }
  });

  it('finds run-time imports and ignores type-only ones after stripping', () => {
    const js = browserModule('ui/view-pipeline.ts') as string;
    expect(runtimeImports(js).sort()).toEqual(['../status/offsets.ts', './escape.ts', './format.ts', './plot.ts']);
  });

  it('serves nothing outside the list', () => {
    expect(browserModule('shared/session.ts')).toBeUndefined();
    expect(browserModule('ui/../shared/session.ts')).toBeUndefined();
    expect(browserModule('ui/command.ts')).toBeUndefined();
  });
});
