import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileSdError, listFiles, readTargetFile } from './file-sd.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wk-file-sd-unit-'));
});

describe('listFiles', () => {
  it('expands patterns in the last path segment, sorted, without duplicates', async () => {
    for (const f of ['a.json', 'b.json', 'c.yml', '.hidden.json', 'x.json.bak']) writeFileSync(join(dir, f), '[]');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'd.json'), '[]');
    const files = await listFiles([
      join(dir, '*.json'),
      join(dir, 'a.json'),
      join(dir, '?.yml'),
      join(dir, 'missing.json'),
    ]);
    expect(files).toEqual(['.hidden.json', 'a.json', 'b.json', 'c.yml'].map((f) => join(dir, f)));
    expect(await listFiles([join(dir, '[ab].json')])).toEqual([join(dir, 'a.json'), join(dir, 'b.json')]);
    expect(await listFiles([join(dir, '[^ab].yml')])).toEqual([join(dir, 'c.yml')]);
    expect(await listFiles([join(dir, 'nowhere', '*.json')])).toEqual([]);
  });
});

describe('readTargetFile', () => {
  it('reads JSON and YAML groups with __meta_filepath and a source per group', async () => {
    const json = join(dir, 't.json');
    writeFileSync(json, JSON.stringify([{ targets: ['a:1', 'b:2'], labels: { env: 'prod' } }, { targets: ['c:3'] }]));
    expect(await readTargetFile(json)).toEqual([
      {
        source: `${json}:0`,
        targets: [{ __address__: 'a:1' }, { __address__: 'b:2' }],
        labels: { env: 'prod', __meta_filepath: json },
      },
      { source: `${json}:1`, targets: [{ __address__: 'c:3' }], labels: { __meta_filepath: json } },
    ]);
    const yaml = join(dir, 't.yaml');
    writeFileSync(yaml, '- targets: [a:1]\n  labels: { port: 80 }\n');
    expect(await readTargetFile(yaml)).toEqual([
      { source: `${yaml}:0`, targets: [{ __address__: 'a:1' }], labels: { port: '80', __meta_filepath: yaml } },
    ]);
    const empty = join(dir, 'empty.yml');
    writeFileSync(empty, '');
    expect(await readTargetFile(empty)).toEqual([]);
  });

  interface BadFileCase {
    name: string;
    file: string;
    content: string;
    message: RegExp;
  }
  const BAD_FILES: BadFileCase[] = [
    { name: 'invalid JSON', file: 'a.json', content: '[{', message: /a\.json: invalid JSON/ },
    { name: 'invalid YAML', file: 'a.yml', content: '- targets: [x\n', message: /a\.yml: invalid YAML/ },
    { name: 'not a list', file: 'a.json', content: '{"targets": []}', message: /expected a list of target groups/ },
    {
      name: 'targets not strings',
      file: 'a.json',
      content: '[{"targets": [1]}]',
      message: /at 0\.targets: expected a list of strings/,
    },
    {
      name: 'bad label name',
      file: 'a.json',
      content: '[{"targets": [], "labels": {"a-b": "x"}}]',
      message: /"a-b" is not a valid label name/,
    },
    {
      name: 'unknown key',
      file: 'a.yml',
      content: '- targets: []\n  lables: {}\n',
      message: /unknown key\(s\) lables/,
    },
    { name: 'unsupported extension', file: 'a.txt', content: '[]', message: /unsupported file extension ".txt"/ },
  ];
  it.each(BAD_FILES)('rejects $name, naming the file', async ({ file, content, message }) => {
    const path = join(dir, file);
    writeFileSync(path, content);
    const err = await readTargetFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileSdError);
    expect((err as FileSdError).file).toBe(path);
    expect((err as FileSdError).message).toMatch(message);
  });
});
