// Type-aware lint. The determinism rules keep wall-clock time and unseeded
// randomness out of the pure layers (core, model, twin, and later the
// orchestrator's decision core); only shells (cli, io) may touch the world.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const pureLayers = ['src/core/**', 'src/model/**', 'src/twin/**', 'src/analyzer/**', 'src/orchestrator/**', 'src/killswitch/**', 'src/apiserver/**'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'schemas/**', 'dev/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner tracks itself.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    files: pureLayers,
    rules: {
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Deterministic code takes a Clock; no timers.' },
        { name: 'setInterval', message: 'Deterministic code takes a Clock; no timers.' },
        { name: 'performance', message: 'Deterministic code takes a Clock.' },
        { name: 'process', message: 'Pure layers do not touch the process; pass values in.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Use the injected Clock.' },
        { object: 'Math', property: 'random', message: 'Use the seeded Random.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the injected Clock.' },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
