// ESLint flat config: typescript-eslint with type information (projectService), import cycles,
// module boundaries of packages/server/src and the rules of STYLE.md. Prettier owns formatting.
import { readdirSync } from 'node:fs';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The allowed dependencies between the server's modules (docs/architecture.md, "Module order").
 * A module listed here may import only the modules in its list; a module not listed yet is only
 * held to the index.ts rule. Add a module here when it is created.
 */
const SERVER_MODULE_DEPENDENCIES = {
  lib: [],
  tsdb: ['lib'],
  promql: ['lib', 'tsdb'],
  config: ['lib'],
  ingest: ['lib', 'tsdb', 'config'],
  template: ['lib'],
  rules: ['lib', 'tsdb', 'promql', 'template'],
  alerting: ['lib', 'template'],
  incidents: ['lib', 'alerting', 'config'],
  // The restricted-series policy reads rule expressions (promql) and filters what the stores return.
  access: ['lib', 'config', 'tsdb', 'promql'],
  // Dashboard files: parsed by the PromQL parser; durations from config.
  dashboards: ['lib', 'config', 'promql'],
};

/** Modules whose files are imported one by one: lib/ is a folder of independent leaf utilities. */
const MODULES_WITHOUT_INDEX = ['lib'];

/** Modules that may import the composition root (`watchkeeper serve` starts it). */
const MODULES_USING_MAIN = ['cli'];

const SERVER_SRC = 'packages/server/src';
/** Deepest folder nesting inside a module that the boundary rules cover. */
const MAX_MODULE_DEPTH = 5;

const serverModules = readdirSync(new URL(`./${SERVER_SRC}/`, import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * no-restricted-imports patterns for a file `depth` folders below src/ inside `module`
 * (`src/tsdb/index.ts` has depth 1, `src/tsdb/memory/memory-storage.ts` depth 2): exactly `depth`
 * `../` leave the module, so the next path segment names the module being imported.
 */
function boundaryPatterns(module, depth) {
  const up = `^(?:\\.\\./){${depth}}`;
  const exempt = [module, ...MODULES_WITHOUT_INDEX].map((m) => `${m}/`).join('|');
  const patterns = [
    {
      regex: `${up}(?!${exempt})[^./][^/]*/(?!index\\.js$)`,
      message: "Import another module only through its index.ts ('../<module>/index.js').",
    },
    {
      regex: MODULES_USING_MAIN.includes(module) ? `${up}(?!main\\.js$)[^./][^/]*\\.js$` : `${up}[^./][^/]*\\.js$`,
      message: 'Modules do not import files at the root of src/ (main.ts is the composition root).',
    },
    {
      regex: `${up}\\.\\./`,
      message: "Import another package by its name ('@watchkeeper/model'), not by a relative path.",
    },
  ];
  const allowed = SERVER_MODULE_DEPENDENCIES[module];
  if (allowed !== undefined) {
    const ok = [module, ...allowed].map((m) => `${m}/`).join('|');
    patterns.push({
      regex: `${up}(?!${ok})[^./][^/]*/`,
      message: `${module}/ may depend only on: ${allowed.length > 0 ? allowed.join(', ') : 'nothing'} (docs/architecture.md).`,
    });
  }
  return patterns;
}

/** Nothing imports the server or the web UI (docs/architecture.md, "Direction of dependencies"). */
const PACKAGE_PATTERNS = [
  {
    group: ['@watchkeeper/server', '@watchkeeper/server/*', '@watchkeeper/web', '@watchkeeper/web/*'],
    message: 'Nothing imports the server or the web UI; move shared types to @watchkeeper/model.',
  },
];

/** Which workspace packages each package may import (docs/architecture.md); the server has its own rules above. */
const PACKAGE_DEPENDENCIES = { model: [], sdk: ['model'], demo: ['model', 'sdk'], web: ['model'] };
const ALL_PACKAGES = ['model', 'sdk', 'server', 'web', 'agent', 'demo'];

const packageBoundaryConfigs = Object.entries(PACKAGE_DEPENDENCIES).map(([pkg, allowed]) => {
  const forbidden = ALL_PACKAGES.filter((p) => p !== pkg && !allowed.includes(p));
  return {
    name: `watchkeeper/boundaries/package-${pkg}`,
    files: [`packages/${pkg}/src/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...PACKAGE_PATTERNS,
            {
              group: forbidden.flatMap((p) => [`@watchkeeper/${p}`, `@watchkeeper/${p}/*`]),
              message: `${pkg} may depend only on: ${allowed.length > 0 ? allowed.join(', ') : 'nothing'} (docs/architecture.md).`,
            },
            {
              regex: `^(?:\\.\\./)+(?:${ALL_PACKAGES.join('|')})/`,
              message: "Import another package by its name ('@watchkeeper/model'), not by a relative path.",
            },
          ],
        },
      ],
    },
  };
});

const moduleBoundaryConfigs = serverModules.flatMap((module) =>
  Array.from({ length: MAX_MODULE_DEPTH }, (_, i) => {
    const depth = i + 1;
    return {
      name: `watchkeeper/boundaries/${module}/depth-${depth}`,
      files: [`${SERVER_SRC}/${module}/${'*/'.repeat(depth - 1)}*.ts`],
      rules: {
        'no-restricted-imports': ['error', { patterns: [...PACKAGE_PATTERNS, ...boundaryPatterns(module, depth)] }],
      },
    };
  }),
);

/** main.ts and the other files at the root of src/ also reach modules only through index.ts. */
const rootFileBoundaryConfig = {
  name: 'watchkeeper/boundaries/src-root',
  files: [`${SERVER_SRC}/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...PACKAGE_PATTERNS,
          {
            regex: `^\\./(?!${MODULES_WITHOUT_INDEX.map((m) => `${m}/`).join('|')})[^./][^/]*/(?!index\\.js$)`,
            message: "Import a module only through its index.ts ('./<module>/index.js').",
          },
        ],
      },
    ],
  },
};

export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', 'bench/out/', 'coverage/', '**/*.tsbuildinfo']),

  {
    name: 'watchkeeper/typescript',
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: {
          // Config files at the root belong to no tsconfig.json.
          allowDefaultProject: ['*.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/external-module-folders': ['node_modules'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // NodeNext: sources import './x.js' for './x.ts'.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.js'] },
          conditionNames: ['types', 'import', 'default'],
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // Async functions without await implement promise-returning interfaces (the engine, HTTP handlers).
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-restricted-syntax': [
        'error',
        {
          // `export type * from` is allowed: it re-exports types only and cannot leak values.
          selector: "ExportAllDeclaration[exportKind!='type']",
          message: "No 'export *': name what a module exports ('export { a, b } from', or 'export type *').",
        },
      ],
      'no-restricted-imports': ['error', { patterns: PACKAGE_PATTERNS }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
    },
  },

  ...moduleBoundaryConfigs,
  rootFileBoundaryConfig,
  ...packageBoundaryConfigs,

  {
    // The Rules of React in the web UI: eslint-plugin-react-hooks' recommended set (rules of hooks,
    // effect dependencies and the React Compiler's checks: purity, refs, state set in effects, ...).
    name: 'watchkeeper/react-hooks',
    files: ['packages/web/src/**/*.tsx'],
    extends: [reactHooks.configs.flat.recommended],
  },

  {
    name: 'watchkeeper/javascript',
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      eqeqeq: ['error', 'always'],
    },
  },
);
